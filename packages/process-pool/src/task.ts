import type { RunResult } from './types.js';

/** What a task does; a skill call (the common case) carries no `kind` on the wire. */
export type TaskKind = 'code' | 'preload' | 'ping';

type OnValue = (value: RunResult) => void;
type OnError = (error: unknown) => void;

const PENDING = 0;
const RESOLVED = 1;
const REJECTED = 2;

/**
 * One unit of work, and its wire form: `JSON.stringify` sees only the public fields (private
 * fields and prototype getters are not serialised, `undefined` fields are skipped), so a batch of
 * tasks is encoded in one call without building a second object per task. Fields that hold their
 * default stay `undefined` and off the wire: no `kind` for a skill call, no `timeoutMs` for the
 * pool's default timeout. A skill call that calls the same function as the task before it in its
 * frame leaves `path` and `fn` off too (see `repeats`): the worker takes them from that task.
 *
 * It is also the result the pool hands the batcher for this task: a minimal thenable whose
 * `then()` the batcher calls once. A promise per task would cost an allocation, a closure and a
 * microtask hop more on the hot path.
 */
export class Task {
  readonly id: number;
  // `declare`: fields that most tasks (skill calls) leave unset are own properties only when set,
  // so that JSON.stringify walks four fields of a skill call instead of eight.
  declare readonly kind: TaskKind | undefined;
  /** On the wire: the file, or `undefined` when the frame's previous task names the same function. */
  path: string | undefined;
  /** On the wire: the function, or `undefined` as `path` is (or for the default function). */
  fn: string | undefined;
  readonly params: Readonly<Record<string, unknown>> | undefined;
  declare readonly source: string | undefined;
  declare readonly input: unknown;
  /** On the wire only when it differs from the pool's default; see `limitMs`. */
  declare readonly timeoutMs: number | undefined;
  readonly #path: string | undefined;
  readonly #fn: string | undefined;
  readonly #limitMs: number;
  readonly #signal: AbortSignal | undefined;
  #state = PENDING;
  #outcome: unknown;
  #onValue: OnValue | undefined;
  #onError: OnError | undefined;

  constructor(
    id: number,
    kind: TaskKind | undefined,
    path: string | undefined,
    fn: string | undefined,
    params: Readonly<Record<string, unknown>> | undefined,
    source: string | undefined,
    input: unknown,
    timeoutMs: number,
    defaultTimeoutMs: number,
    signal: AbortSignal | undefined,
  ) {
    // The wire order, which the worker relies on to name an undecodable task: id, kind, path, fn.
    this.id = id;
    if (kind !== undefined) this.kind = kind;
    this.path = path;
    this.fn = fn;
    this.#path = path;
    this.#fn = fn;
    this.params = params;
    if (source !== undefined) this.source = source;
    if (input !== undefined) this.input = input;
    if (timeoutMs !== defaultTimeoutMs) this.timeoutMs = timeoutMs;
    this.#limitMs = timeoutMs;
    this.#signal = signal;
  }

  /** A skill call: `fn(**params)` from the file at `path`. */
  static skill(
    id: number,
    path: string,
    fn: string | undefined,
    params: Readonly<Record<string, unknown>> | undefined,
    timeoutMs: number,
    defaultTimeoutMs: number,
    signal: AbortSignal | undefined,
  ): Task {
    return new Task(
      id,
      undefined,
      path,
      fn,
      params,
      undefined,
      undefined,
      timeoutMs,
      defaultTimeoutMs,
      signal,
    );
  }

  /** A task of another kind. */
  static of(
    id: number,
    kind: TaskKind,
    fields: { path?: string; source?: string; input?: unknown },
    timeoutMs: number,
    defaultTimeoutMs: number,
    signal?: AbortSignal,
  ): Task {
    const { path, source, input } = fields;
    return new Task(id, kind, path, undefined, undefined, source, input, timeoutMs, defaultTimeoutMs, signal);
  }

  /**
   * Sets the wire form for a frame: with `previous` a skill call of the same function, `path` and
   * `fn` stay off the wire (the worker decodes a long path once per run of calls, not per call);
   * otherwise, or with `undefined`, the task carries its own.
   */
  follow(previous: Task | undefined): void {
    if (
      previous !== undefined &&
      this.kind === undefined &&
      previous.kind === undefined &&
      this.#path === previous.#path &&
      this.#fn === previous.#fn
    ) {
      this.path = undefined;
      this.fn = undefined;
    } else {
      this.path = this.#path;
      this.fn = this.#fn;
    }
  }

  /** The task's timeout in milliseconds, from its start in the worker. */
  get limitMs(): number {
    return this.#limitMs;
  }

  /** The caller's signal: an aborted task is not sent again after a crash. */
  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  /** Registers the one consumer of this task's outcome (the batcher, or an `await`). */
  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, see the class comment
  then(onValue?: OnValue | null, onError?: OnError | null): void {
    if (this.#onValue !== undefined || this.#onError !== undefined) {
      throw new Error('Task.then() may be called only once');
    }
    const ignore = (): void => {};
    this.#onValue = onValue ?? ignore;
    this.#onError = onError ?? ignore;
    if (this.#state === RESOLVED) this.#onValue(this.#outcome as RunResult);
    else if (this.#state === REJECTED) this.#onError(this.#outcome);
  }

  resolve(value: RunResult): void {
    if (this.#state !== PENDING) return;
    this.#state = RESOLVED;
    this.#outcome = value;
    this.#onValue?.(value);
  }

  reject(error: unknown): void {
    if (this.#state !== PENDING) return;
    this.#state = REJECTED;
    this.#outcome = error;
    this.#onError?.(error);
  }
}
