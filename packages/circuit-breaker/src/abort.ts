import { type AbortWatcher, unwatchAbort, watchAbort } from './abort-fan-out.js';

/** Something in flight that an owner (a breaker's `shutdown()`) can end at once with a reason. */
export interface Cancellable {
  cancel(reason: unknown): void;
}

/**
 * A signal that never aborts, handed to calls that have no signal of their own. Its controller
 * is dropped at once, so nothing can ever abort it.
 */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts, whichever
 * comes first. The watch ends when either happens.
 */
export function raceAbort<T>(promise: PromiseLike<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return Promise.resolve(promise);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const watcher: AbortWatcher = { handleEvent: () => reject(signal.reason) };
    watchAbort(signal, watcher);
    Promise.resolve(promise).then(
      (value) => {
        unwatchAbort(signal, watcher);
        resolve(value);
      },
      (error: unknown) => {
        unwatchAbort(signal, watcher);
        reject(error);
      },
    );
  });
}

/**
 * Resolves after `ms`, or rejects with `signal.reason` as soon as `signal` aborts (clearing the
 * timer). The timer is unref'd: a pending delay never keeps the process alive on its own.
 * While it waits, its `cancel` sits in `inFlight`, so an owner (a breaker's `shutdown()`) can end
 * it at once with a reason of its own.
 */
export function delay(
  ms: number,
  signal: AbortSignal | undefined,
  inFlight?: Set<Cancellable>,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      if (signal !== undefined) unwatchAbort(signal, onAbort);
      inFlight?.delete(waiter);
    };
    const onAbort: AbortWatcher = {
      handleEvent() {
        stop();
        reject(signal?.reason);
      },
    };
    const waiter: Cancellable = {
      cancel(reason) {
        stop();
        reject(reason);
      },
    };
    const timer = setTimeout(() => {
      stop();
      resolve();
    }, ms);
    timer.unref();
    if (signal !== undefined) watchAbort(signal, onAbort);
    inFlight?.add(waiter);
  });
}
