import type { EventEmitter } from 'node:events';
import type { BreakerShutdownError } from './errors/breaker-shutdown-error.js';
import { CircuitOpenError } from './errors/circuit-open-error.js';
import type { TimeoutError } from './errors/timeout-error.js';
import type { CircuitBreakerEvents, OpenInfo } from './events.js';
import { notify } from './notify.js';
import type { ResolvedBreakerOptions } from './options.js';
import { FAILURE, IGNORED, REJECT, RollingWindow, SUCCESS, TIMEOUT } from './rolling-window.js';
import type { BreakerSnapshot, BreakerStats, WindowStats } from './stats.js';
import type { CircuitState } from './types.js';

/** How a call ended, as far as counting goes. `error` is then classified with `isFailure`. */
export type CallOutcome = 'success' | 'error' | 'timeout' | 'aborted';

/** Promise reactions that count the outcome of a call admitted under `epoch`. */
export interface EpochReactions {
  readonly epoch: number;
  readonly fulfilled: (value: unknown) => unknown;
  readonly rejected: (error: unknown) => never;
}

/** Returned by `admit()` for a call the circuit turns away. */
export const REJECTED = -1;

const ignore = (): void => {};

/**
 * The breaker's core: state, epochs, counts, the reset timer and the rules that tie them.
 *
 * Every transition starts a new epoch. A call is admitted with the current epoch and its outcome
 * only counts if the epoch is still current, so results of calls that started under an earlier
 * state never move the state machine.
 */
export class CircuitStateMachine {
  readonly #options: ResolvedBreakerOptions;
  readonly #events: EventEmitter<CircuitBreakerEvents>;
  readonly #now: () => number;
  readonly #window: RollingWindow;
  #state: CircuitState = 'CLOSED';
  #epoch = 0;
  #isShutdown = false;
  #consecutiveFailures = 0;
  #trialsInFlight = 0;
  #trialSuccesses = 0;
  #lastTransitionAt: number;
  #halfOpenAt = 0;
  #resetTimer: NodeJS.Timeout | undefined;
  /**
   * What rejected calls get while the state holds: one error and one already-handled rejected
   * promise per period. Building an Error costs ~0.5-1 µs even without a stack, and a fresh
   * unhandled rejection as much again: both would break the sub-microsecond OPEN path.
   */
  #rejection: Promise<never> | undefined;
  #rejectionError: CircuitOpenError | undefined;
  /** Built once per epoch and shared by its calls, so the cheap path allocates no closure. */
  #reactions: EpochReactions | undefined;

  /** @param events where the state machine's events go: the breaker. */
  constructor(options: ResolvedBreakerOptions, events: EventEmitter<CircuitBreakerEvents>) {
    this.#options = options;
    this.#events = events;
    this.#now = options.now;
    const now = this.#now();
    this.#lastTransitionAt = now;
    this.#window = new RollingWindow(options.rollingWindowMs, options.rollingBuckets, now);
    if (options.initialState !== undefined) this.#restore(options.initialState, now);
  }

  /** The state; an OPEN circuit whose reset time has come becomes HALF_OPEN on reading. */
  get state(): CircuitState {
    this.#catchUp();
    return this.#state;
  }

  get isShutdown(): boolean {
    return this.#isShutdown;
  }

  /** The rejection for a call `admit()` turned away: valid right after that `admit()`. */
  get rejection(): Promise<never> {
    return this.#rejection as Promise<never>;
  }

  /** Lets a call in: returns the epoch it runs under, or {@link REJECTED}. */
  admit(): number {
    if (this.#state === 'CLOSED' && !this.#isShutdown) return this.#epoch;
    if (this.#isShutdown) return REJECTED;
    const now = this.#now();
    if (this.#state === 'OPEN') {
      if (now < this.#halfOpenAt) return this.#reject(now);
      this.#toHalfOpen(now);
    }
    if (this.#state === 'HALF_OPEN' && this.#trialsInFlight < this.#options.halfOpenMaxCalls) {
      this.#trialsInFlight++;
      return this.#epoch;
    }
    // A `halfOpen` listener may have closed the circuit.
    return this.#state === 'CLOSED' ? this.#epoch : this.#reject(now);
  }

  /**
   * Reactions for the promise of a call admitted under `epoch`: they count its outcome (as
   * `settle` does) and pass the value or the error on.
   */
  reactions(epoch: number): EpochReactions {
    const cached = this.#reactions;
    if (cached !== undefined && cached.epoch === epoch) return cached;
    const reactions: EpochReactions = {
      epoch,
      fulfilled: (value) => {
        this.settle(epoch, 'success', undefined);
        return value;
      },
      rejected: (error) => {
        this.settle(epoch, 'error', error);
        throw error;
      },
    };
    this.#reactions = reactions;
    return reactions;
  }

  /** Counts the outcome of a call admitted under `epoch`, unless that epoch has passed. */
  settle(epoch: number, outcome: CallOutcome, error: unknown): void {
    if (outcome === 'success') this.#onSuccess(epoch);
    else if (outcome === 'timeout') this.#onFailure(epoch, error, true);
    else if (outcome === 'aborted' || !this.isFailure(error)) this.#onIgnored(epoch, error);
    else this.#onFailure(epoch, error, false);
  }

  /** The `isFailure` option, where a classifier that throws counts the call as a failure. */
  isFailure(error: unknown): boolean {
    try {
      return Boolean(this.#options.isFailure(error));
    } catch {
      return true;
    }
  }

  open(): void {
    if (this.#isShutdown || this.#state === 'OPEN') return;
    this.#toOpen(this.#now(), { trigger: 'manual' });
  }

  close(): void {
    if (this.#isShutdown || this.#state === 'CLOSED') return;
    this.#toClosed(this.#now());
  }

  /** Freezes the state, clears the timer and makes every later call reject with `error`. */
  shutdown(error: BreakerShutdownError): void {
    this.#isShutdown = true;
    this.#epoch++;
    this.#clearResetTimer();
    this.#rejection = Promise.reject(error);
    this.#rejection.catch(ignore);
  }

  stats(name: string, enabled: boolean): BreakerStats {
    this.#catchUp();
    const halfOpen = this.#state === 'HALF_OPEN';
    return Object.freeze({
      name,
      state: this.#state,
      enabled,
      isShutdown: this.#isShutdown,
      consecutiveFailures: this.#consecutiveFailures,
      halfOpenInFlight: halfOpen ? this.#trialsInFlight : 0,
      halfOpenSuccesses: halfOpen ? this.#trialSuccesses : 0,
      lastTransitionAt: this.#lastTransitionAt,
      nextAttemptAt: this.#state === 'OPEN' ? this.#halfOpenAt : null,
      window: this.#windowStats(),
    });
  }

  snapshot(enabled: boolean): BreakerSnapshot {
    this.#catchUp();
    return {
      state: this.#state,
      lastTransitionAt: this.#lastTransitionAt,
      consecutiveFailures: this.#consecutiveFailures,
      enabled,
    };
  }

  #windowStats(): WindowStats {
    const now = this.#now();
    const window = this.#window;
    const successes = window.count(SUCCESS, now);
    const failures = window.count(FAILURE, now);
    return Object.freeze({
      durationMs: this.#options.rollingWindowMs,
      successes,
      failures,
      timeouts: window.count(TIMEOUT, now),
      rejects: window.count(REJECT, now),
      ignored: window.count(IGNORED, now),
      errorPercentage: successes + failures === 0 ? 0 : (failures / (successes + failures)) * 100,
    });
  }

  #reject(now: number): typeof REJECTED {
    this.#window.record(REJECT, now);
    let error = this.#rejectionError;
    if (error === undefined) {
      const state = this.#state === 'OPEN' ? 'OPEN' : 'HALF_OPEN';
      error = new CircuitOpenError(this.#options.name, state, state === 'OPEN' ? this.#halfOpenAt : null);
      this.#rejectionError = error;
      this.#rejection = Promise.reject(error);
      this.#rejection.catch(ignore);
    }
    notify(this.#events, 'reject', error);
    return REJECTED;
  }

  #onSuccess(epoch: number): void {
    const stale = epoch !== this.#epoch;
    if (!stale) {
      const now = this.#now();
      this.#window.record(SUCCESS, now);
      this.#consecutiveFailures = 0;
      if (this.#state === 'HALF_OPEN') {
        this.#trialsInFlight--;
        if (++this.#trialSuccesses >= this.#options.successThreshold) this.#toClosed(now);
      }
    }
    notify(this.#events, 'success', stale);
  }

  #onFailure(epoch: number, error: unknown, timedOut: boolean): void {
    const stale = epoch !== this.#epoch;
    if (!stale) {
      const now = this.#now();
      this.#window.record(FAILURE, now);
      if (timedOut) this.#window.record(TIMEOUT, now);
      this.#consecutiveFailures++;
      if (this.#state === 'HALF_OPEN') {
        this.#toOpen(now, { trigger: 'halfOpenFailure', error });
      } else if (this.#consecutiveFailures >= this.#options.failureThreshold) {
        this.#toOpen(now, { trigger: 'failureThreshold', error });
      } else if (this.#overErrorPercentage(now)) {
        this.#toOpen(now, { trigger: 'errorThresholdPercentage', error });
      }
    }
    if (timedOut) notify(this.#events, 'timeout', error as TimeoutError);
    notify(this.#events, 'failure', error, stale);
  }

  #onIgnored(epoch: number, error: unknown): void {
    const stale = epoch !== this.#epoch;
    if (!stale) {
      this.#window.record(IGNORED, this.#now());
      if (this.#state === 'HALF_OPEN') this.#trialsInFlight--;
    }
    notify(this.#events, 'ignored', error, stale);
  }

  #overErrorPercentage(now: number): boolean {
    const threshold = this.#options.errorThresholdPercentage;
    if (threshold === Number.POSITIVE_INFINITY) return false;
    const failures = this.#window.count(FAILURE, now);
    const total = failures + this.#window.count(SUCCESS, now);
    return total >= this.#options.volumeThreshold && failures * 100 >= threshold * total;
  }

  /** Moves an OPEN circuit whose reset time has come to HALF_OPEN, in case its timer is late. */
  #catchUp(): void {
    if (this.#state === 'OPEN' && !this.#isShutdown) {
      const now = this.#now();
      if (now >= this.#halfOpenAt) this.#toHalfOpen(now);
    }
  }

  #enter(state: CircuitState, now: number): void {
    this.#clearResetTimer();
    this.#state = state;
    this.#epoch++;
    this.#lastTransitionAt = now;
    this.#trialsInFlight = 0;
    this.#trialSuccesses = 0;
    this.#rejection = undefined;
    this.#rejectionError = undefined;
  }

  #toOpen(now: number, info: OpenInfo): void {
    this.#enter('OPEN', now);
    this.#scheduleHalfOpen(now + this.#options.resetTimeout, now);
    notify(this.#events, 'open', info);
  }

  #toHalfOpen(now: number): void {
    this.#enter('HALF_OPEN', now);
    notify(this.#events, 'halfOpen');
  }

  #toClosed(now: number): void {
    this.#enter('CLOSED', now);
    this.#consecutiveFailures = 0;
    this.#window.reset(now);
    notify(this.#events, 'close');
  }

  #scheduleHalfOpen(at: number, now: number): void {
    this.#halfOpenAt = at;
    const timer = setTimeout(() => {
      this.#resetTimer = undefined;
      if (this.#state === 'OPEN' && !this.#isShutdown) this.#toHalfOpen(this.#now());
    }, at - now);
    timer.unref();
    this.#resetTimer = timer;
  }

  #clearResetTimer(): void {
    if (this.#resetTimer === undefined) return;
    clearTimeout(this.#resetTimer);
    this.#resetTimer = undefined;
  }

  #restore(snapshot: Required<BreakerSnapshot>, now: number): void {
    this.#consecutiveFailures = snapshot.consecutiveFailures;
    this.#lastTransitionAt = snapshot.lastTransitionAt;
    if (snapshot.state === 'HALF_OPEN') this.#state = 'HALF_OPEN';
    if (snapshot.state !== 'OPEN') return;
    // A timestamp from a skewed clock never holds the circuit open longer than `resetTimeout`.
    const at = Math.min(snapshot.lastTransitionAt, now) + this.#options.resetTimeout;
    if (now >= at) {
      this.#state = 'HALF_OPEN';
      this.#lastTransitionAt = now;
      return;
    }
    this.#state = 'OPEN';
    this.#scheduleHalfOpen(at, now);
  }
}
