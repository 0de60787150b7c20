import { hasBrand, setBrand } from './brand.js';

const brand = Symbol.for('@mcp-exec/process-pool:WorkerStartError');

/**
 * A worker could not be started: the interpreter was not found or not runnable, or it died or
 * stayed silent before answering its first ping. `start()` rejects with it; later, `run()` gets
 * an {@link AcquireTimeoutError} whose `cause` is the latest one.
 */
export class WorkerStartError extends Error {
  readonly code = 'EWORKERSTART' as const;
  override readonly name = 'WorkerStartError';
  /** The interpreter command that was run. */
  readonly python: string;
  /** The last lines the process wrote to stderr, if it ran at all. */
  readonly stderrTail: string;

  constructor(python: string, reason: string, stderrTail = '', cause?: unknown) {
    const tail = stderrTail === '' ? '' : `; its last stderr lines:\n${stderrTail}`;
    super(`Cannot start a Python worker with ${python}: ${reason}${tail}`, { cause });
    this.python = python;
    this.stderrTail = stderrTail;
    setBrand(this, brand);
  }
}

/** True for a {@link WorkerStartError}, also one thrown by another installed copy of this package. */
export function isWorkerStartError(error: unknown): error is WorkerStartError {
  return hasBrand(error, brand);
}
