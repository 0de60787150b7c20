import { isBreakerShutdownError } from './errors/breaker-shutdown-error.js';
import { isCircuitOpenError } from './errors/circuit-open-error.js';
import { isTimeoutError } from './errors/timeout-error.js';

/** Error codes of transient network failures, retried by default. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * True for an abort: an error named `AbortError` (what `fetch`, `events.once`, timers/promises
 * and `AbortSignal.abort()` produce) or carrying Node's `ABORT_ERR` code.
 */
export function isAbortError(error: unknown): boolean {
  return field(error, 'name') === 'AbortError' || field(error, 'code') === 'ABORT_ERR';
}

/**
 * True for an error that marks itself as the caller's fault with a `callerError: true`
 * property (bad input, a validation failure). Such errors pass through a breaker untouched and
 * never move its state, and `retry` never retries them.
 *
 * @example
 * class InputValidationError extends Error {
 *   readonly callerError = true;
 * }
 */
export function isCallerError(error: unknown): boolean {
  return field(error, 'callerError') === true;
}

/**
 * The default `isFailure`: every error counts against the circuit except an abort and a caller
 * error (see {@link isAbortError} and {@link isCallerError}).
 */
export function defaultIsFailure(error: unknown): boolean {
  return !isAbortError(error) && !isCallerError(error);
}

/**
 * The default `isRetryable`: a {@link TimeoutError}, an error with `retryable: true`, or an
 * error whose `code` (or the code of an error in its `cause` chain, which is where `fetch`
 * puts it) is one of {@link RETRYABLE_ERROR_CODES}. `retryable: false` wins over the code.
 */
export function isRetryableError(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const retryable = field(current, 'retryable');
    if (retryable === true || retryable === false) return retryable;
    if (isTimeoutError(current)) return true;
    const code = field(current, 'code');
    if (typeof code === 'string' && RETRYABLE_ERROR_CODES.has(code)) return true;
    current = field(current, 'cause');
  }
  return false;
}

/**
 * Errors `retry` never retries, whatever `isRetryable` says: an open circuit (retrying cannot
 * help until it half-opens), a shut-down breaker, an abort and a caller error.
 */
export function isNeverRetryable(error: unknown): boolean {
  return (
    isCircuitOpenError(error) || isBreakerShutdownError(error) || isAbortError(error) || isCallerError(error)
  );
}
