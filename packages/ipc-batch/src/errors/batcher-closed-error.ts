import { hasBrand, setBrand } from './brand.js';

const brand = Symbol.for('@mcp-exec/ipc-batch:BatcherClosedError');

/**
 * The batcher is closed: `add()` was called after `close()`, or `close()` was aborted before
 * this item settled (then `cause` is the abort reason).
 */
export class BatcherClosedError extends Error {
  readonly code = 'EBATCHERCLOSED' as const;
  override readonly name = 'BatcherClosedError';

  constructor(message = 'The batcher is closed', options?: { cause?: unknown }) {
    super(message, options);
    setBrand(this, brand);
  }
}

/** True for a {@link BatcherClosedError}, also one thrown by another installed copy of this package. */
export function isBatcherClosedError(error: unknown): error is BatcherClosedError {
  return hasBrand(error, brand);
}
