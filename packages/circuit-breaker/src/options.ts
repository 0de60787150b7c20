import { defaultIsFailure } from './classify.js';
import { type RetryOptions, type RetryPolicy, resolveRetryPolicy } from './retry.js';
import type { BreakerSnapshot } from './stats.js';
import type { Action, ActionArgs, ActionResult, CircuitState, NoAction } from './types.js';
import { finiteOption, functionOption, integerOption, MAX_TIMER_MS, numberOption, show } from './validate.js';

/** How a breaker retries: {@link RetryOptions} without the per-call `signal` and `onRetry`. */
export type BreakerRetryOptions = Omit<RetryOptions, 'signal' | 'onRetry'>;

/**
 * Options of a {@link CircuitBreaker}.
 *
 * Two triggers open a CLOSED circuit, checked after every counted failure; whichever is met
 * first opens it, and either can be switched off with `false` (not both):
 * - `failureThreshold` failures in a row, and
 * - `errorThresholdPercentage` % or more of the calls in the rolling window failing, once the
 *   window holds at least `volumeThreshold` calls.
 */
export interface CircuitBreakerOptions<F extends Action = NoAction> {
  /**
   * Shown in errors and stats; a registry uses the key.
   * @default the action's `name`, else `'breaker'`
   */
  readonly name?: string;
  /**
   * Consecutive failures that open the circuit (the seed's `circuitBreakerThreshold`); `false`
   * leaves opening to `errorThresholdPercentage`.
   * @default 5
   */
  readonly failureThreshold?: number | false;
  /**
   * Share of failed calls, in percent (0 < p <= 100), in the rolling window that opens the
   * circuit, once the window holds `volumeThreshold` calls; `false` switches the percentage mode
   * off.
   * @default false
   * @example { failureThreshold: false, errorThresholdPercentage: 50, volumeThreshold: 20 }
   */
  readonly errorThresholdPercentage?: number | false;
  /**
   * Successes plus failures the rolling window must hold before `errorThresholdPercentage`
   * can open the circuit.
   * @default 10
   */
  readonly volumeThreshold?: number;
  /**
   * Length of the rolling window, in ms. It restarts empty whenever the circuit closes.
   * @default 10_000
   */
  readonly rollingWindowMs?: number;
  /**
   * Slices of the rolling window: the window forgets one slice at a time.
   * @default 10
   */
  readonly rollingBuckets?: number;
  /**
   * Time in OPEN before the circuit half-opens, in ms (the seed's `circuitBreakerTimeout`). The
   * transition happens on time even with no traffic.
   * @default 60_000
   */
  readonly resetTimeout?: number;
  /**
   * Trial calls let through at once in HALF_OPEN; others are rejected at once.
   * @default 1
   */
  readonly halfOpenMaxCalls?: number;
  /**
   * Successful trial calls that close a HALF_OPEN circuit; one failed trial reopens it.
   * @default 1
   */
  readonly successThreshold?: number;
  /**
   * Per-call time limit in ms, or `false` for none. When it elapses, that call alone is aborted
   * (its own signal), rejected with a `TimeoutError` and counted as a failure.
   * @default false
   */
  readonly timeout?: number | false;
  /**
   * Whether an error counts against the circuit (`true`) or passes through untouched
   * (`false`, "ignored"). A caller's abort of its own signal is always ignored; a timeout
   * always counts; a classifier that throws counts the call as a failure.
   * @default defaultIsFailure (all but aborts and errors with `callerError: true`)
   */
  readonly isFailure?: (error: unknown) => boolean;
  /**
   * Retry failed calls: each attempt goes through the breaker and counts once; an open circuit
   * ends the retries. `false` for none.
   * @default false
   */
  readonly retry?: BreakerRetryOptions | false;
  /**
   * Called by `fire` with the call's arguments and the error when a call fails, times out or is
   * rejected by the circuit; its result becomes the call's result. Caller errors and aborts
   * never reach it. (`execute` takes a per-call `fallback`.)
   * @default none
   */
  readonly fallback?: (
    ...argsThenError: [...ActionArgs<F>, unknown]
  ) => ActionResult<F> | PromiseLike<ActionResult<F>>;
  /**
   * A state saved with `toJSON()`. An OPEN state whose `resetTimeout` has already elapsed
   * starts HALF_OPEN.
   * @default CLOSED, no failures
   */
  readonly initialState?: BreakerSnapshot;
  /**
   * The clock, in ms. Inject one in tests; it must agree with timers (fake timers fake both).
   * @default () => Date.now()
   */
  readonly now?: () => number;
}

/** Options with every default filled in and every value checked. */
export interface ResolvedBreakerOptions {
  readonly name: string;
  readonly failureThreshold: number;
  readonly errorThresholdPercentage: number;
  readonly volumeThreshold: number;
  readonly rollingWindowMs: number;
  readonly rollingBuckets: number;
  readonly resetTimeout: number;
  readonly halfOpenMaxCalls: number;
  readonly successThreshold: number;
  readonly timeout: number | false;
  readonly isFailure: (error: unknown) => boolean;
  readonly retry: RetryPolicy | undefined;
  readonly fallback: ((...argsThenError: unknown[]) => unknown) | undefined;
  readonly initialState: Required<BreakerSnapshot> | undefined;
  readonly now: () => number;
}

const STATES: readonly CircuitState[] = ['CLOSED', 'OPEN', 'HALF_OPEN'];

/** Checks `options` and fills in defaults; `prefix` names where they came from in messages. */
export function resolveBreakerOptions(
  options: CircuitBreakerOptions<Action>,
  defaultName: string,
  prefix = '',
): ResolvedBreakerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${prefix || 'options '}must be an object, got ${show(options)}`);
  }
  const name = options.name ?? defaultName;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${prefix}name must be a non-empty string, got ${show(name)}`);
  }
  const failureThreshold = options.failureThreshold ?? 5;
  const percentage = options.errorThresholdPercentage ?? false;
  if (failureThreshold === false && percentage === false) {
    throw new TypeError(
      `${prefix}failureThreshold and ${prefix}errorThresholdPercentage cannot both be false`,
    );
  }
  if (percentage !== false && !(typeof percentage === 'number' && percentage > 0 && percentage <= 100)) {
    throw new TypeError(
      `${prefix}errorThresholdPercentage must be a number > 0 and <= 100 or false, got ${show(percentage)}`,
    );
  }
  const timeout = options.timeout ?? false;
  const retry = options.retry ?? false;
  if (retry !== false && (typeof retry !== 'object' || retry === null)) {
    throw new TypeError(`${prefix}retry must be an object or false, got ${show(retry)}`);
  }
  const rollingWindowMs = numberOption(
    `${prefix}rollingWindowMs`,
    options.rollingWindowMs ?? 10_000,
    1,
    MAX_TIMER_MS,
  );
  return {
    name,
    failureThreshold:
      failureThreshold === false
        ? Number.POSITIVE_INFINITY
        : integerOption(`${prefix}failureThreshold`, failureThreshold, 1),
    errorThresholdPercentage: percentage === false ? Number.POSITIVE_INFINITY : percentage,
    volumeThreshold: integerOption(`${prefix}volumeThreshold`, options.volumeThreshold ?? 10, 1),
    rollingWindowMs,
    rollingBuckets: integerOption(
      `${prefix}rollingBuckets`,
      options.rollingBuckets ?? 10,
      1,
      Math.min(10_000, Math.floor(rollingWindowMs)),
    ),
    resetTimeout: integerOption(`${prefix}resetTimeout`, options.resetTimeout ?? 60_000, 0, MAX_TIMER_MS),
    halfOpenMaxCalls: integerOption(`${prefix}halfOpenMaxCalls`, options.halfOpenMaxCalls ?? 1, 1),
    successThreshold: integerOption(`${prefix}successThreshold`, options.successThreshold ?? 1, 1),
    timeout: timeout === false ? false : integerOption(`${prefix}timeout`, timeout, 1, MAX_TIMER_MS),
    isFailure: functionOption(`${prefix}isFailure`, options.isFailure ?? defaultIsFailure),
    retry: retry === false ? undefined : resolveRetryPolicy(retry, `${prefix}retry.`),
    fallback:
      options.fallback === undefined ? undefined : functionOption(`${prefix}fallback`, options.fallback),
    initialState:
      options.initialState === undefined
        ? undefined
        : resolveSnapshot(options.initialState, `${prefix}initialState`),
    now: options.now === undefined ? () => Date.now() : functionOption(`${prefix}now`, options.now),
  };
}

/** Checks a saved state; `prefix` names it in messages. */
export function resolveSnapshot(snapshot: BreakerSnapshot, prefix: string): Required<BreakerSnapshot> {
  if (typeof snapshot !== 'object' || snapshot === null) {
    throw new TypeError(`${prefix} must be an object, got ${show(snapshot)}`);
  }
  if (!STATES.includes(snapshot.state)) {
    throw new TypeError(
      `${prefix}.state must be 'CLOSED', 'OPEN' or 'HALF_OPEN', got ${show(snapshot.state)}`,
    );
  }
  const enabled = snapshot.enabled ?? true;
  if (typeof enabled !== 'boolean') {
    throw new TypeError(`${prefix}.enabled must be a boolean, got ${show(enabled)}`);
  }
  return {
    state: snapshot.state,
    lastTransitionAt: finiteOption(`${prefix}.lastTransitionAt`, snapshot.lastTransitionAt),
    consecutiveFailures: integerOption(`${prefix}.consecutiveFailures`, snapshot.consecutiveFailures ?? 0, 0),
    enabled,
  };
}
