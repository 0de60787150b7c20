import { EventEmitter } from 'node:events';
import { type Cancellable, NEVER_ABORTED, raceAbort } from './abort.js';
import { callTarget, type Target } from './call-target.js';
import { BreakerShutdownError, isBreakerShutdownError } from './errors/breaker-shutdown-error.js';
import { isCircuitOpenError } from './errors/circuit-open-error.js';
import { isTimeoutError, TimeoutError } from './errors/timeout-error.js';
import type { CircuitBreakerEvents } from './events.js';
import { type CallGuard, guardedCall } from './guarded-call.js';
import { notify } from './notify.js';
import { type CircuitBreakerOptions, type ResolvedBreakerOptions, resolveBreakerOptions } from './options.js';
import { type RetryInfo, runRetry } from './retry.js';
import { CircuitStateMachine, REJECTED } from './state-machine.js';
import type { BreakerSnapshot, BreakerStats } from './stats.js';
import type {
  Action,
  ActionArgs,
  ActionResult,
  CallContext,
  CircuitState,
  ExecuteOptions,
  FireOptions,
  NoAction,
} from './types.js';
import { functionOption, show, signalOption } from './validate.js';

type Invoke<T> = (context: CallContext) => T | PromiseLike<T>;

/** The context of a first attempt without a signal of its own: shared, so the cheap path allocates none. */
const PLAIN_CONTEXT: CallContext = Object.freeze({ signal: NEVER_ABORTED, attempt: 1 });

/**
 * A CLOSED / OPEN / HALF_OPEN circuit breaker around an async action.
 *
 * CLOSED lets every call through and counts outcomes; enough failures open the circuit. OPEN
 * rejects every call at once with a {@link CircuitOpenError} until `resetTimeout` has passed, then
 * the circuit half-opens. HALF_OPEN lets `halfOpenMaxCalls` trial calls through at a time:
 * `successThreshold` successes close it, one failure opens it again. Results of calls that
 * started under an earlier state never move the state machine.
 *
 * @example
 * const breaker = new CircuitBreaker(
 *   (url: string, { signal }: CallContext) => fetch(url, { signal }),
 *   { failureThreshold: 5, resetTimeout: 30_000, timeout: 2_000 },
 * );
 * const response = await breaker.fire('https://example.com/health');
 */
export class CircuitBreaker<F extends Action = NoAction> extends EventEmitter<CircuitBreakerEvents> {
  /** The breaker's name, from the `name` option. */
  readonly name: string;
  readonly #action: Target | undefined;
  readonly #options: ResolvedBreakerOptions;
  readonly #machine: CircuitStateMachine;
  /** Cancels of every call holding a timer or a listener, and of every retry backoff. */
  readonly #inFlight = new Set<Cancellable>();
  readonly #emitRetry = (info: RetryInfo): void => notify(this, 'retry', info);
  /** What the slow path (a timeout or a caller's signal) needs, shared by every call. */
  readonly #guard: CallGuard;
  #enabled = true;

  /** A breaker without an action: guard calls with {@link CircuitBreaker.execute}. */
  constructor(options?: CircuitBreakerOptions<F>);
  /** A breaker around `action`, called as `action(...args, context)` by {@link CircuitBreaker.fire}. */
  constructor(action: F, options?: CircuitBreakerOptions<F>);
  constructor(actionOrOptions?: F | CircuitBreakerOptions<F>, maybeOptions?: CircuitBreakerOptions<F>) {
    super();
    const hasAction = typeof actionOrOptions === 'function';
    if (!hasAction && maybeOptions !== undefined) {
      throw new TypeError(`action must be a function, got ${show(actionOrOptions)}`);
    }
    const action = hasAction ? (actionOrOptions as unknown as Target) : undefined;
    const options =
      (hasAction ? maybeOptions : (actionOrOptions as CircuitBreakerOptions<F> | undefined)) ?? {};
    this.#options = resolveBreakerOptions(
      options as CircuitBreakerOptions<Action>,
      action?.name || 'breaker',
    );
    this.#action = action;
    this.name = this.#options.name;
    this.#enabled = this.#options.initialState?.enabled ?? true;
    const machine = new CircuitStateMachine(this.#options, this);
    this.#machine = machine;
    const timeoutMs = this.#options.timeout;
    this.#guard = {
      timeoutMs,
      timeoutError: () => new TimeoutError(this.name, timeoutMs as number),
      settle: (epoch, outcome, error) => machine.settle(epoch, outcome, error),
      inFlight: this.#inFlight,
    };
  }

  /** The current state. An OPEN circuit whose `resetTimeout` has passed reads (and becomes) HALF_OPEN. */
  get state(): CircuitState {
    return this.#machine.state;
  }

  /** False after `disable()`. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** True after `shutdown()`. */
  get isShutdown(): boolean {
    return this.#machine.isShutdown;
  }

  /**
   * Calls the action with `args` (and a {@link CallContext} last) through the breaker. To pass a
   * signal, use {@link CircuitBreaker.fireWith}.
   */
  fire(...args: ActionArgs<F>): Promise<ActionResult<F>> {
    return this.#fire(args as unknown[], undefined);
  }

  /** Like {@link CircuitBreaker.fire}, with per-call options first: `fireWith({ signal }, ...args)`. */
  fireWith(options: FireOptions, ...args: ActionArgs<F>): Promise<ActionResult<F>> {
    let signal: AbortSignal | undefined;
    try {
      signal = signalOption('signal', (options as FireOptions | undefined)?.signal);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#fire(args as unknown[], signal);
  }

  /**
   * Calls `fn(context)` through the breaker: the way to guard an arbitrary async function, e.g.
   * with a breaker from a {@link BreakerRegistry}.
   *
   * @example
   * await registry.get('skill-name').execute(({ signal }) => pool.run(task, { signal }), { signal });
   */
  execute<T>(fn: Invoke<T>, options?: ExecuteOptions<T>): Promise<T> {
    let signal: AbortSignal | undefined;
    let fallback: ((error: unknown) => T | PromiseLike<T>) | undefined;
    try {
      functionOption('fn', fn);
      signal = signalOption('signal', options?.signal);
      if (options?.fallback !== undefined) fallback = functionOption('fallback', options.fallback);
    } catch (error) {
      return Promise.reject(error);
    }
    const result = this.#run<T>(fn as Target, undefined, signal);
    return fallback === undefined ? result : this.#withFallback(result, fallback, signal);
  }

  /** Opens the circuit now (it half-opens after `resetTimeout` as usual). No-op if already OPEN. */
  open(): void {
    this.#machine.open();
  }

  /** Closes the circuit now, with fresh counts. No-op if already CLOSED. */
  close(): void {
    this.#machine.close();
  }

  /** Lets every call go straight to the action: no counting, timeout, retry or fallback. */
  disable(): void {
    this.#enabled = false;
  }

  /** Undoes `disable()`. */
  enable(): void {
    this.#enabled = true;
  }

  /**
   * Stops the breaker for good: clears its timer, rejects calls still waiting on a timeout, a
   * signal or a retry backoff with a {@link BreakerShutdownError} (aborting their signals), emits
   * `shutdown` and removes every listener. Later calls reject with a `BreakerShutdownError`;
   * results of calls still running are no longer counted. Idempotent.
   */
  shutdown(): void {
    if (this.#machine.isShutdown) return;
    const error = new BreakerShutdownError(`Circuit "${this.name}"`);
    this.#machine.shutdown(error);
    for (const call of [...this.#inFlight]) call.cancel(error);
    this.#inFlight.clear();
    notify(this, 'shutdown');
    this.removeAllListeners();
  }

  /** A plain, frozen, JSON-serialisable picture of the breaker now. */
  stats(): BreakerStats {
    return this.#machine.stats(this.name, this.#enabled);
  }

  /** What to save to restore this breaker later with the `initialState` option. */
  toJSON(): BreakerSnapshot {
    return this.#machine.snapshot(this.#enabled);
  }

  #fire(args: unknown[], signal: AbortSignal | undefined): Promise<ActionResult<F>> {
    const action = this.#action;
    if (action === undefined) {
      return Promise.reject(new TypeError(`Circuit "${this.name}" has no action: call execute(fn) instead`));
    }
    const result = this.#run<ActionResult<F>>(action, args, signal);
    const fallback = this.#options.fallback;
    if (fallback === undefined) return result;
    return this.#withFallback(result, (error) => fallback(...args, error) as ActionResult<F>, signal);
  }

  #run<T>(target: Target, args: unknown[] | undefined, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.#enabled && !this.#machine.isShutdown) {
      const context = { signal: signal ?? NEVER_ABORTED, attempt: 1 };
      return raceAbort(new Promise<T>((resolve) => resolve(callTarget(target, args, context) as T)), signal);
    }
    const policy = this.#options.retry;
    if (policy === undefined) return this.#attempt(target, args, signal, 1);
    const attempt = (n: number) => this.#attempt<T>(target, args, signal, n);
    return runRetry(attempt, policy, signal, this.#emitRetry, this.#inFlight);
  }

  #attempt<T>(
    target: Target,
    args: unknown[] | undefined,
    signal: AbortSignal | undefined,
    attempt: number,
  ): Promise<T> {
    const machine = this.#machine;
    const epoch = machine.admit();
    if (epoch === REJECTED) return machine.rejection;
    if (signal === undefined && this.#guard.timeoutMs === false)
      return this.#direct(target, args, attempt, epoch);
    return guardedCall<T>(target, args, attempt, epoch, signal, this.#guard);
  }

  /**
   * The cheap path: no timer, no listener, no controller, and no allocation of its own beyond the
   * promise it returns. A `.then` with reactions shared by every call of the epoch costs less
   * than an async function's frame and its `await`.
   */
  #direct<T>(target: Target, args: unknown[] | undefined, attempt: number, epoch: number): Promise<T> {
    const reactions = this.#machine.reactions(epoch);
    let result: unknown;
    try {
      result = callTarget(target, args, attempt === 1 ? PLAIN_CONTEXT : { signal: NEVER_ABORTED, attempt });
    } catch (error) {
      // Counted at once, as the async version did: its code before the first `await` ran synchronously.
      this.#machine.settle(epoch, 'error', error);
      return Promise.reject(error);
    }
    return Promise.resolve(result).then(reactions.fulfilled, reactions.rejected) as Promise<T>;
  }

  async #withFallback<T>(
    result: Promise<T>,
    fallback: (error: unknown) => T | PromiseLike<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    try {
      return await result;
    } catch (error) {
      const callerAborted = signal?.aborted === true && error === signal.reason;
      const eligible =
        !callerAborted &&
        !isBreakerShutdownError(error) &&
        (isCircuitOpenError(error) || isTimeoutError(error) || this.#machine.isFailure(error));
      if (!eligible) throw error;
      const value = await fallback(error);
      notify(this, 'fallback', value, error);
      return value;
    }
  }
}
