/** The three states of a circuit. */
export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/**
 * What a guarded call receives as its last argument (for `fire`) or as its only argument
 * (for `execute`).
 */
export interface CallContext {
  /**
   * Aborted when this call must stop: its own `timeout` elapsed, the caller's signal aborted,
   * or the breaker was shut down. Each call gets its own signal when it needs one, so aborting
   * one call never touches another.
   */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
}

/** Any function a breaker can guard. Its last parameter, if it accepts a {@link CallContext}, is one. */
export type Action = (...args: never[]) => unknown;

/** The action of a breaker built without one: only `execute(fn)` guards calls. */
export type NoAction = (context: CallContext) => Promise<never>;

/**
 * The arguments `fire` takes for an action: its parameters without the trailing
 * {@link CallContext}, which the breaker supplies.
 */
export type ActionArgs<F extends Action> =
  Parameters<F> extends [...infer Args, infer Last]
    ? unknown extends Last
      ? Parameters<F>
      : CallContext extends Last
        ? Args
        : Parameters<F>
    : Parameters<F>;

/** What `fire` resolves with for an action. */
export type ActionResult<F extends Action> = Awaited<ReturnType<F>>;

/** Options of one `fireWith` call. */
export interface FireOptions {
  /** Aborting it rejects this call at once with `signal.reason` and aborts the call's own signal. */
  readonly signal?: AbortSignal;
}

/** Options of one `execute` call. */
export interface ExecuteOptions<T> {
  /** Aborting it rejects this call at once with `signal.reason` and aborts the call's own signal. */
  readonly signal?: AbortSignal;
  /**
   * Called with the error when this call fails, times out or is rejected by the circuit; what
   * it returns (or resolves with) becomes the call's result. Caller errors and aborts never
   * reach it.
   */
  readonly fallback?: (error: unknown) => T | PromiseLike<T>;
}
