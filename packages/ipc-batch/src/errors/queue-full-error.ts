import { hasBrand, setBrand } from './brand.js';

const brand = Symbol.for('@mcp-exec/ipc-batch:QueueFullError');

/** `add()` was called while `maxPending` items were already waiting to be flushed. */
export class QueueFullError extends Error {
  readonly code = 'EQUEUEFULL' as const;
  override readonly name = 'QueueFullError';
  /** The bound that was reached. */
  readonly maxPending: number;

  constructor(maxPending: number) {
    super(`The batcher already holds maxPending (${maxPending}) queued items`);
    this.maxPending = maxPending;
    setBrand(this, brand);
  }
}

/** True for a {@link QueueFullError}, also one thrown by another installed copy of this package. */
export function isQueueFullError(error: unknown): error is QueueFullError {
  return hasBrand(error, brand);
}
