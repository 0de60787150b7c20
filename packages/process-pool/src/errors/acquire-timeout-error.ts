import { hasBrand, setBrand } from './brand.js';

const brand = Symbol.for('@mcp-exec/process-pool:AcquireTimeoutError');

/**
 * No worker became available within `acquireTimeoutMs`: every worker stayed busy, or workers
 * could not be started (then `cause` is the last {@link WorkerStartError}).
 */
export class AcquireTimeoutError extends Error {
  readonly code = 'EACQUIRETIMEOUT' as const;
  override readonly name = 'AcquireTimeoutError';
  /** The bound that was reached, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, cause?: unknown) {
    const why =
      cause instanceof Error ? `; workers fail to start: ${cause.message}` : '; every worker stayed busy';
    super(`No Python worker became available within ${timeoutMs} ms${why}`, { cause });
    this.timeoutMs = timeoutMs;
    setBrand(this, brand);
  }
}

/** True for an {@link AcquireTimeoutError}, also one thrown by another installed copy of this package. */
export function isAcquireTimeoutError(error: unknown): error is AcquireTimeoutError {
  return hasBrand(error, brand);
}
