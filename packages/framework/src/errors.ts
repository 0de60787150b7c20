/**
 * The failures the framework itself raises. Failures of the lower layers (`PythonError`,
 * `CircuitOpenError`, ...) keep their own classes and are re-exported from the package index.
 *
 * Every class carries a stable `code` and a brand stored under a `Symbol.for` key, so that the
 * `isXError` guards recognise an error thrown by another installed copy of this package.
 */

const BRAND = Symbol.for('@mcp-exec/framework:error');

/** Codes of the errors raised by this package. */
export type FrameworkErrorCode =
  | 'ESKILLNOTFOUND'
  | 'EINVALIDSKILL'
  | 'EINPUTVALIDATION'
  | 'EQUEUEFULL'
  | 'EFRAMEWORKCLOSED'
  | 'ETASKNOTFOUND';

abstract class FrameworkError extends Error {
  abstract readonly code: FrameworkErrorCode;
}

function brand(error: FrameworkError): void {
  // Read-only and non-enumerable, so that it survives copies of the package but not JSON.
  Object.defineProperty(error, BRAND, { value: error.code, enumerable: false, writable: false });
}

function guard<T extends FrameworkError>(code: FrameworkErrorCode) {
  return (e: unknown): e is T =>
    typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === code;
}

/** No folder named like the skill exists in `skillsDir`. */
export class SkillNotFoundError extends FrameworkError {
  override readonly name = 'SkillNotFoundError';
  readonly code = 'ESKILLNOTFOUND' as const;
  /** The caller's mistake: a circuit breaker never counts it, retry never retries it. */
  readonly callerError = true;
  /** Installed skills whose names are close to the one asked for, best first. */
  readonly suggestions: readonly string[];

  constructor(
    readonly skill: string,
    suggestions: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    const hint =
      suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
    super(`Skill "${skill}" was not found${hint}`, options);
    this.suggestions = Object.freeze([...suggestions]);
    brand(this);
  }
}
export const isSkillNotFoundError = guard<SkillNotFoundError>('ESKILLNOTFOUND');

/**
 * A skill cannot be used: a bad name, a path that leaves `skillsDir`, or a malformed manifest.
 * `file` and `field` name what is wrong when it is known.
 */
export class InvalidSkillError extends FrameworkError {
  override readonly name = 'InvalidSkillError';
  readonly code = 'EINVALIDSKILL' as const;
  /** Not the skill's runtime failure: a circuit breaker never counts it, retry never retries it. */
  readonly callerError = true;

  constructor(
    readonly skill: string,
    readonly reason: string,
    readonly file?: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    const where = [file, field === undefined ? undefined : `field "${field}"`].filter(Boolean).join(', ');
    super(`Invalid skill "${skill}"${where ? ` (${where})` : ''}: ${reason}`, options);
    brand(this);
  }
}
export const isInvalidSkillError = guard<InvalidSkillError>('EINVALIDSKILL');

/** One problem found in a skill's input, from the JSON Schema check. */
export interface InputIssue {
  /** Where in the input, as a JSON Pointer (`/items/0/name`); `''` is the input itself. */
  readonly path: string;
  readonly message: string;
}

/** The input does not match the skill's `input` schema; nothing was sent to Python. */
export class InputValidationError extends FrameworkError {
  override readonly name = 'InputValidationError';
  readonly code = 'EINPUTVALIDATION' as const;
  /** The caller's mistake: a circuit breaker never counts it, retry never retries it. */
  readonly callerError = true;
  /** The first problem's location, as a JSON Pointer (`''` is the input itself). */
  readonly path: string;
  readonly issues: readonly InputIssue[];

  constructor(
    readonly skill: string,
    issues: readonly InputIssue[],
  ) {
    const first = issues[0] ?? { path: '', message: 'is invalid' };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(`Invalid input for skill "${skill}": input${first.path} ${first.message}${more}`);
    this.path = first.path;
    this.issues = Object.freeze([...issues]);
    brand(this);
  }
}
export const isInputValidationError = guard<InputValidationError>('EINPUTVALIDATION');

/** `maxQueue` calls are already waiting; the call was refused without queueing. */
export class QueueFullError extends FrameworkError {
  override readonly name = 'QueueFullError';
  readonly code = 'EQUEUEFULL' as const;

  constructor(readonly maxQueue: number) {
    super(`The queue is full: ${maxQueue} calls are already waiting`);
    brand(this);
  }
}
export const isQueueFullError = guard<QueueFullError>('EQUEUEFULL');

/** The framework was closed before the call could finish. */
export class FrameworkClosedError extends FrameworkError {
  override readonly name = 'FrameworkClosedError';
  readonly code = 'EFRAMEWORKCLOSED' as const;

  constructor(message = 'The framework is closed', options?: ErrorOptions) {
    super(message, options);
    brand(this);
  }
}
export const isFrameworkClosedError = guard<FrameworkClosedError>('EFRAMEWORKCLOSED');

/** No background task has this id (it never existed, or left the bounded history). */
export class TaskNotFoundError extends FrameworkError {
  override readonly name = 'TaskNotFoundError';
  readonly code = 'ETASKNOTFOUND' as const;

  constructor(readonly taskId: string) {
    super(`No background task with id "${taskId}" (unknown, or dropped from the task history)`);
    brand(this);
  }
}
export const isTaskNotFoundError = guard<TaskNotFoundError>('ETASKNOTFOUND');
