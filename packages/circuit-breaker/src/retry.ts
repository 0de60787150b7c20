import { type Cancellable, delay, NEVER_ABORTED, raceAbort } from './abort.js';
import { isNeverRetryable, isRetryableError } from './classify.js';
import type { CallContext } from './types.js';
import { functionOption, integerOption, MAX_TIMER_MS, show, signalOption } from './validate.js';

/** What `onRetry` (and a breaker's `retry` event) receives before each backoff. */
export interface RetryInfo {
  /** The attempt that just failed: 1 for the first call. */
  readonly attempt: number;
  /** How long the backoff before the next attempt lasts, in ms. */
  readonly delayMs: number;
  /** Why the attempt failed. */
  readonly error: unknown;
}

/** How `retry` retries. */
export interface RetryOptions {
  /**
   * Attempts in all, the first call included: 1 means no retry.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Backoff before the first retry, in ms; it doubles with each further retry.
   * @default 100
   */
  readonly baseDelayMs?: number;
  /**
   * Upper bound of any backoff, in ms.
   * @default 10_000
   */
  readonly maxDelayMs?: number;
  /**
   * `'full'`: each backoff is a uniform random value in `[0, min(maxDelayMs, baseDelayMs * 2 **
   * (attempt - 1)))` ("full jitter"), which spreads the retries of many clients apart.
   * `'none'`: exactly the upper bound.
   * @default 'full'
   */
  readonly jitter?: 'full' | 'none';
  /**
   * The random source of `'full'` jitter, returning a number in [0, 1).
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Whether an attempt's error is worth another attempt. Whatever it says, an open circuit, a
   * shut-down breaker, an abort and a caller error are never retried.
   * @default isRetryableError (network codes, timeouts, `retryable: true`)
   * @example isRetryable: (error, attempt) => isRetryableError(error) || (error as { status?: number }).status === 503
   */
  readonly isRetryable?: (error: unknown, attempt: number) => boolean;
  /** Called before each backoff, e.g. to log it. */
  readonly onRetry?: (info: RetryInfo) => void;
  /**
   * Aborting it stops at once: an attempt in flight, or a backoff (whose timer is cleared), and
   * `retry` rejects with `signal.reason`.
   */
  readonly signal?: AbortSignal;
}

/** Retry options with every default filled in and every value checked. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: 'full' | 'none';
  readonly random: () => number;
  readonly isRetryable: (error: unknown, attempt: number) => boolean;
}

/** Checks `options` and fills in defaults; `prefix` names the option group in error messages. */
export function resolveRetryPolicy(
  options: Omit<RetryOptions, 'signal' | 'onRetry'>,
  prefix = '',
): RetryPolicy {
  const jitter = options.jitter ?? 'full';
  if (jitter !== 'full' && jitter !== 'none') {
    throw new TypeError(`${prefix}jitter must be 'full' or 'none', got ${show(jitter)}`);
  }
  const baseDelayMs = integerOption(`${prefix}baseDelayMs`, options.baseDelayMs ?? 100, 0, MAX_TIMER_MS);
  return {
    maxAttempts: integerOption(`${prefix}maxAttempts`, options.maxAttempts ?? 3, 1),
    baseDelayMs,
    maxDelayMs: integerOption(
      `${prefix}maxDelayMs`,
      options.maxDelayMs ?? Math.max(10_000, baseDelayMs),
      baseDelayMs,
      MAX_TIMER_MS,
    ),
    jitter,
    random: functionOption(`${prefix}random`, options.random ?? Math.random),
    isRetryable: functionOption(`${prefix}isRetryable`, options.isRetryable ?? isRetryableError),
  };
}

/** The backoff after failed attempt number `attempt` (1-based). */
function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  if (policy.jitter === 'none') return ceiling;
  const random = Math.min(Math.max(policy.random(), 0), 1);
  return random * ceiling;
}

/**
 * The retry loop. `attempt` must honour `signal` itself (a breaker's attempts do); the public
 * {@link retry} wraps the user's function to make sure.
 */
export async function runRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  onRetry: ((info: RetryInfo) => void) | undefined,
  inFlight?: Set<Cancellable>,
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (attemptNumber >= policy.maxAttempts || isNeverRetryable(error)) throw error;
      if (!policy.isRetryable(error, attemptNumber)) throw error;
      const delayMs = backoffDelay(policy, attemptNumber);
      onRetry?.({ attempt: attemptNumber, delayMs, error });
      await delay(delayMs, signal, inFlight);
    }
  }
}

/**
 * Calls `fn` until it succeeds, with exponential backoff and full jitter between attempts, and
 * rejects with the last error once `maxAttempts` are spent or an error is not retryable.
 *
 * @example
 * const user = await retry(({ signal }) => fetchUser(id, { signal }), { maxAttempts: 4, signal });
 */
export function retry<T>(
  fn: (context: CallContext) => T | PromiseLike<T>,
  options: RetryOptions = {},
): Promise<T> {
  try {
    functionOption('fn', fn);
    const policy = resolveRetryPolicy(options);
    const signal = signalOption('signal', options.signal);
    const onRetry =
      options.onRetry === undefined
        ? undefined
        : functionOption<(info: RetryInfo) => void>('onRetry', options.onRetry);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const attempt = (attemptNumber: number) =>
      raceAbort(
        new Promise<T>((resolve) => resolve(fn({ signal: signal ?? NEVER_ABORTED, attempt: attemptNumber }))),
        signal,
      );
    return runRetry(attempt, policy, signal, onRetry);
  } catch (error) {
    return Promise.reject(error);
  }
}
