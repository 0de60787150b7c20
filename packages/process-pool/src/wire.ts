import { MemoryLimitError } from './errors/memory-limit-error.js';
import { MessageTooLargeError } from './errors/message-too-large-error.js';
import { PythonError } from './errors/python-error.js';
import { SerializationError } from './errors/serialization-error.js';
import type { TaskOutput } from './errors/task-output.js';
import { TaskTimeoutError } from './errors/task-timeout-error.js';

/** Kinds of task failure reported by the worker, and counted by the pool. */
export type WireErrorKind = 'python' | 'timeout' | 'serialization' | 'memory' | 'too_large';

/** How the worker describes a task that failed. */
export interface WireError {
  readonly kind: WireErrorKind;
  readonly type?: string;
  readonly message?: string;
  readonly traceback?: string;
  readonly timeoutMs?: number;
  readonly path?: string;
  readonly bytes?: number;
  readonly limit?: number;
}

/** One line from the worker: a task's result, a run of plain results, a claim, or its last words. */
export interface WireMessage {
  /** A result: the task's id. */
  readonly id?: number;
  readonly ok?: boolean;
  /** Run time in microseconds; in a run, one per result. */
  readonly us?: number | readonly unknown[];
  /**
   * A run of plain results (ok, no output) of consecutive tasks of one batch: the id of the first;
   * `us` and `values` hold one entry per task, in order.
   */
  readonly run?: number;
  readonly values?: readonly unknown[];
  readonly value?: unknown;
  readonly error?: WireError;
  readonly out?: string;
  readonly err?: string;
  /** No task with a higher sequence number (tasks received since start) has started. */
  readonly claim?: number;
  /** The worker hit an internal error and exits. */
  readonly fatal?: string;
}

const KINDS: ReadonlySet<string> = new Set<WireErrorKind>([
  'python',
  'timeout',
  'serialization',
  'memory',
  'too_large',
]);

/** The error of a result line, made safe to read: a task can write to fd 4 too. */
export function wireError(error: unknown): WireError {
  if (typeof error !== 'object' || error === null) {
    return { kind: 'python', type: 'Exception', message: 'the worker reported a failure without details' };
  }
  const kind = (error as { kind?: unknown }).kind;
  return typeof kind === 'string' && KINDS.has(kind)
    ? (error as WireError)
    : { ...(error as WireError), kind: 'python' };
}

/** The typed error for a failure the worker reported. */
export function errorFromWire(
  error: WireError,
  output: TaskOutput,
  context: { readonly timeoutMs: number; readonly memoryLimitMb: number | undefined },
): Error {
  const message = error.message ?? '';
  switch (error.kind) {
    case 'timeout':
      return new TaskTimeoutError(error.timeoutMs ?? context.timeoutMs, false, error.traceback ?? '', output);
    case 'serialization':
      return new SerializationError(
        message,
        {
          direction: error.path === 'params' ? 'params' : 'result',
          typeName: error.type ?? '',
          path: error.path ?? '',
        },
        output,
      );
    case 'too_large':
      return new MessageTooLargeError('result', error.bytes ?? 0, error.limit ?? 0, output);
    case 'memory':
      if (context.memoryLimitMb !== undefined) {
        return new MemoryLimitError(context.memoryLimitMb, error.traceback ?? '', output);
      }
      return new PythonError(error.type ?? 'MemoryError', message, error.traceback ?? '', output);
    default:
      return new PythonError(error.type ?? 'Exception', message, error.traceback ?? '', output);
  }
}
