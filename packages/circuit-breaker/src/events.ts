import type { CircuitOpenError } from './errors/circuit-open-error.js';
import type { TimeoutError } from './errors/timeout-error.js';
import type { RetryInfo } from './retry.js';

/** Why a circuit opened. */
export interface OpenInfo {
  /**
   * `failureThreshold`: too many failures in a row. `errorThresholdPercentage`: too high a share
   * of failures in the rolling window. `halfOpenFailure`: a trial call failed. `manual`: `open()`.
   */
  readonly trigger: 'failureThreshold' | 'errorThresholdPercentage' | 'halfOpenFailure' | 'manual';
  /** The failure that tripped the circuit (undefined for `manual`). */
  readonly error?: unknown;
}

/**
 * The events of a {@link CircuitBreaker}. A call's events come after the state machine has taken
 * the call into account: the `open` a failure causes is emitted before that `failure`.
 * `stale` is true for a call that started under an earlier state: it is reported but never
 * counted.
 */
export interface CircuitBreakerEvents {
  open: [info: OpenInfo];
  halfOpen: [];
  close: [];
  success: [stale: boolean];
  failure: [error: unknown, stale: boolean];
  /** A caller error or an abort: passed through, never counted against the circuit. */
  ignored: [error: unknown, stale: boolean];
  reject: [error: CircuitOpenError];
  /** Followed by a `failure` with the same error. */
  timeout: [error: TimeoutError];
  retry: [info: RetryInfo];
  fallback: [result: unknown, error: unknown];
  /** The last event: every listener is removed right after it. */
  shutdown: [];
}
