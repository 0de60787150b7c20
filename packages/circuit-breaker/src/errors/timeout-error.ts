import { hasBrand } from './brand.js';

const brand: unique symbol = Symbol.for('@mcp-exec/circuit-breaker:TimeoutError');

/**
 * A call that ran longer than the breaker's `timeout`. The call's own signal was aborted with
 * this error as its reason; the call counts as a failure and is retryable by default.
 */
export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT' as const;
  readonly [brand] = true as const;
  override readonly name = 'TimeoutError';
  /** The `name` of the breaker whose timeout elapsed. */
  readonly breakerName: string;
  /** The timeout that elapsed, in ms. */
  readonly timeoutMs: number;

  constructor(breakerName: string, timeoutMs: number) {
    // Raised from a timer callback, whose stack would only show Node's timer internals.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`Call through circuit "${breakerName}" timed out after ${timeoutMs} ms`);
    Error.stackTraceLimit = stackTraceLimit;
    this.breakerName = breakerName;
    this.timeoutMs = timeoutMs;
  }
}

/** True for a {@link TimeoutError}, from this or any other copy of the package. */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return hasBrand(error, brand);
}
