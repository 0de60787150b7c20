import type { CircuitState } from './types.js';

/** Counts over a breaker's rolling window. */
export interface WindowStats {
  /** The window's length, in ms. */
  readonly durationMs: number;
  readonly successes: number;
  /** Failures, timeouts included. */
  readonly failures: number;
  readonly timeouts: number;
  /** Calls the circuit turned away while OPEN or with every HALF_OPEN trial slot taken. */
  readonly rejects: number;
  /** Caller errors and aborts: counted here, never against the circuit. */
  readonly ignored: number;
  /** `failures / (successes + failures) * 100`, or 0 when both are 0. */
  readonly errorPercentage: number;
}

/** A plain, JSON-serialisable picture of a breaker at one moment. */
export interface BreakerStats {
  readonly name: string;
  readonly state: CircuitState;
  /** False after `disable()`: calls go straight to the action. */
  readonly enabled: boolean;
  /** True after `shutdown()`. */
  readonly isShutdown: boolean;
  /** Failures in a row since the last success (or since the circuit last closed). */
  readonly consecutiveFailures: number;
  /** Trial calls in flight (HALF_OPEN only, else 0). */
  readonly halfOpenInFlight: number;
  /** Trial calls that succeeded in this HALF_OPEN period (else 0). */
  readonly halfOpenSuccesses: number;
  /** When the circuit last changed state (the breaker's clock, `Date.now()` by default). */
  readonly lastTransitionAt: number;
  /** When an OPEN circuit will half-open (the breaker's clock), or `null` when not OPEN. */
  readonly nextAttemptAt: number | null;
  readonly window: WindowStats;
}

/**
 * What `toJSON()` returns and the `initialState` option accepts: enough to restore a breaker in
 * another process (the rolling window starts empty).
 */
export interface BreakerSnapshot {
  readonly state: CircuitState;
  /** When the circuit entered `state` (the breaker's clock, `Date.now()` by default). */
  readonly lastTransitionAt: number;
  /** @default 0 */
  readonly consecutiveFailures?: number;
  /** @default true */
  readonly enabled?: boolean;
}
