export { type AbortWatcher, unwatchAbort, watchAbort } from './abort-fan-out.js';
export { CircuitBreaker } from './circuit-breaker.js';
export {
  defaultIsFailure,
  isAbortError,
  isCallerError,
  isRetryableError,
  RETRYABLE_ERROR_CODES,
} from './classify.js';
export { BreakerShutdownError, isBreakerShutdownError } from './errors/breaker-shutdown-error.js';
export { CircuitOpenError, isCircuitOpenError } from './errors/circuit-open-error.js';
export { isTimeoutError, TimeoutError } from './errors/timeout-error.js';
export type { CircuitBreakerEvents, OpenInfo } from './events.js';
export type { BreakerRetryOptions, CircuitBreakerOptions } from './options.js';
export type { BreakerRegistryEvents, BreakerRegistryOptions, RegistryBreakerOptions } from './registry.js';
export { BreakerRegistry } from './registry.js';
export type { RetryInfo, RetryOptions } from './retry.js';
export { retry } from './retry.js';
export type { BreakerSnapshot, BreakerStats, WindowStats } from './stats.js';
export type {
  Action,
  ActionArgs,
  ActionResult,
  CallContext,
  CircuitState,
  ExecuteOptions,
  FireOptions,
  NoAction,
} from './types.js';
