import { hasBrand } from './brand.js';

const brand: unique symbol = Symbol.for('@mcp-exec/circuit-breaker:BreakerShutdownError');

/**
 * A call made through a breaker (or a registry) after `shutdown()`, or a call that was still
 * waiting on its timeout or signal when `shutdown()` ran.
 */
export class BreakerShutdownError extends Error {
  readonly code = 'ESHUTDOWN' as const;
  readonly [brand] = true as const;
  override readonly name = 'BreakerShutdownError';

  /** @param subject what was shut down, e.g. `Circuit "fetch-user"`. */
  constructor(subject: string) {
    super(`${subject} has been shut down`);
  }
}

/** True for a {@link BreakerShutdownError}, from this or any other copy of the package. */
export function isBreakerShutdownError(error: unknown): error is BreakerShutdownError {
  return hasBrand(error, brand);
}
