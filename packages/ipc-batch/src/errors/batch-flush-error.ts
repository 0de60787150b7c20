import { hasBrand, setBrand } from './brand.js';

const brand = Symbol.for('@mcp-exec/ipc-batch:BatchFlushError');

/**
 * The flush function of a batch failed as a whole: it threw, rejected, or did not return exactly
 * one result per item. Every item of that batch rejects with this error; `cause` holds what the
 * flush threw (or a `RangeError` describing the wrong result count). Other batches are unaffected.
 */
export class BatchFlushError extends Error {
  readonly code = 'EBATCHFLUSH' as const;
  override readonly name = 'BatchFlushError';
  /** How many items the failed batch carried. */
  readonly batchSize: number;

  constructor(batchSize: number, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`The flush of a batch of ${batchSize} item(s) failed: ${detail}`, { cause });
    this.batchSize = batchSize;
    setBrand(this, brand);
  }
}

/** True for a {@link BatchFlushError}, also one thrown by another installed copy of this package. */
export function isBatchFlushError(error: unknown): error is BatchFlushError {
  return hasBrand(error, brand);
}
