import { hasBrand } from './brand.js';

const brand: unique symbol = Symbol.for('@mcp-exec/circuit-breaker:CircuitOpenError');

/**
 * A call the circuit did not let through: it is OPEN, or HALF_OPEN with every trial slot taken.
 *
 * It captures no stack trace: it is raised on the hot path, from the breaker's own bookkeeping,
 * where a stack says nothing the message does not. While the circuit stays in one state,
 * every rejected call receives the same instance (it describes that period, not the call), so
 * treat it as read-only.
 */
export class CircuitOpenError extends Error {
  readonly code = 'ECIRCUITOPEN' as const;
  readonly [brand] = true as const;
  override readonly name = 'CircuitOpenError';
  /** The `name` of the breaker that rejected the call. */
  readonly breakerName: string;
  /** The state that rejected the call. */
  readonly state: 'OPEN' | 'HALF_OPEN';
  /**
   * When the circuit will let a trial call through (the breaker's clock, `Date.now()` by
   * default), or `null` in HALF_OPEN, where a slot frees up as soon as a trial call ends.
   */
  readonly retryAt: number | null;

  constructor(breakerName: string, state: 'OPEN' | 'HALF_OPEN', retryAt: number | null) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(
      state === 'OPEN'
        ? `Circuit "${breakerName}" is open`
        : `Circuit "${breakerName}" is half-open and all trial calls are in flight`,
    );
    Error.stackTraceLimit = stackTraceLimit;
    this.breakerName = breakerName;
    this.state = state;
    this.retryAt = retryAt;
  }
}

/** True for a {@link CircuitOpenError}, from this or any other copy of the package. */
export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return hasBrand(error, brand);
}
