import type { Cancellable } from './abort.js';
import { unwatchAbort, watchAbort } from './abort-fan-out.js';
import { callTarget, type Target } from './call-target.js';
import type { CallOutcome } from './state-machine.js';

/** What guarded calls need from their breaker: one object per breaker, shared by its calls. */
export interface CallGuard {
  /** Per-call limit in ms, or false. */
  readonly timeoutMs: number | false;
  /** Builds the error a timed-out call rejects with (and aborts its signal with). */
  readonly timeoutError: () => unknown;
  /** Told once how a call admitted under `epoch` ended, before its promise settles; not after `cancel`. */
  settle(epoch: number, outcome: CallOutcome, error: unknown): void;
  /** Holds each call while it is in flight, so `shutdown()` can end it. */
  readonly inFlight: Set<Cancellable>;
}

/**
 * Runs `target` with a timeout and/or a caller's signal: the slow path, taken only when the call
 * needs one of them. A call with a timeout gets its own AbortController, so its timeout aborts
 * that call alone; a call with only a caller's signal passes that signal through and allocates
 * no controller. One timer per call: Node keeps timers of equal duration in one list on one
 * native handle, so this is already the shared-timer design, and the timer is cleared the moment
 * the call settles, so none exists while no call is in flight.
 */
export function guardedCall<T>(
  target: Target,
  args: unknown[] | undefined,
  attempt: number,
  epoch: number,
  signal: AbortSignal | undefined,
  guard: CallGuard,
): Promise<T> {
  return new GuardedCall<T>(guard, epoch, signal).run(target, args, attempt);
}

/**
 * One guarded call. Its methods are its callbacks (the abort listener is the object itself, the
 * timer gets it as an argument), so a call allocates no closure beyond its promise's reactions.
 */
class GuardedCall<T> implements Cancellable {
  readonly #guard: CallGuard;
  readonly #epoch: number;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #done = false;
  #resolve: (value: T) => void = ignore;
  #reject: (reason: unknown) => void = ignore;

  constructor(guard: CallGuard, epoch: number, callerSignal: AbortSignal | undefined) {
    this.#guard = guard;
    this.#epoch = epoch;
    this.#callerSignal = callerSignal;
    this.#controller = guard.timeoutMs === false ? undefined : new AbortController();
  }

  run(target: Target, args: unknown[] | undefined, attempt: number): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const { timeoutMs, inFlight } = this.#guard;
    if (timeoutMs !== false) {
      this.#timer = setTimeout(onTimer, timeoutMs, this);
      this.#timer.unref();
    }
    if (this.#callerSignal !== undefined) watchAbort(this.#callerSignal, this);
    inFlight.add(this);
    const signal = this.#controller?.signal ?? (this.#callerSignal as AbortSignal);
    let result: unknown;
    try {
      result = callTarget(target, args, { signal, attempt });
    } catch (error) {
      // Counted a microtask later, like a rejection: a throwing action never settles within fire().
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      (value) => this.#succeeded(value as T),
      (error: unknown) => this.#failed(error),
    );
    return promise;
  }

  /** The caller's signal aborted: the `abort` listener. */
  handleEvent(): void {
    if (!this.#done) this.#end('aborted', this.#callerSignal?.reason);
  }

  /** The call's timeout elapsed. */
  timeOut(): void {
    if (!this.#done) this.#end('timeout', this.#guard.timeoutError());
  }

  /** Ends the call with `reason`, uncounted: the breaker is shutting down. */
  cancel(reason: unknown): void {
    if (this.#done) return;
    this.#finish();
    this.#controller?.abort(reason);
    this.#reject(reason);
  }

  #succeeded(value: T): void {
    if (this.#done) return;
    this.#finish();
    try {
      this.#guard.settle(this.#epoch, 'success', undefined);
    } finally {
      this.#resolve(value);
    }
  }

  #failed(error: unknown): void {
    if (this.#done) return;
    this.#finish();
    try {
      this.#guard.settle(this.#epoch, 'error', error);
    } finally {
      this.#reject(error);
    }
  }

  // `settle` emits events; a listener that throws must not leave the call pending.
  #end(outcome: CallOutcome, error: unknown): void {
    this.#finish();
    this.#controller?.abort(error);
    try {
      this.#guard.settle(this.#epoch, outcome, error);
    } finally {
      this.#reject(error);
    }
  }

  #finish(): void {
    this.#done = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#callerSignal !== undefined) unwatchAbort(this.#callerSignal, this);
    this.#guard.inFlight.delete(this);
  }
}

function onTimer(call: { timeOut(): void }): void {
  call.timeOut();
}

function ignore(): void {}
