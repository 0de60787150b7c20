import { hasBrand, setBrand } from './brand.js';

const brand = Symbol.for('@mcp-exec/process-pool:PoolClosedError');

/**
 * The pool is closed: `run()` after `close()`, or a task still pending when `close()` ran out of
 * time and killed the workers.
 */
export class PoolClosedError extends Error {
  readonly code = 'EPOOLCLOSED' as const;
  override readonly name = 'PoolClosedError';

  constructor(message = 'The Python pool is closed', options?: { cause?: unknown }) {
    super(message, options);
    setBrand(this, brand);
  }
}

/** True for a {@link PoolClosedError}, also one thrown by another installed copy of this package. */
export function isPoolClosedError(error: unknown): error is PoolClosedError {
  return hasBrand(error, brand);
}
