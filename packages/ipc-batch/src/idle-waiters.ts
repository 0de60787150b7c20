import { type AbortWatcher, unwatchAbort, watchAbort } from './abort-fan-out.js';

interface Waiter {
  readonly resolve: () => void;
  readonly signal: AbortSignal | undefined;
  readonly watcher: AbortWatcher | undefined;
}

/** Callers of `onIdle()` waiting for the batcher to hold nothing; each may give up on its signal. */
export class IdleWaiters {
  #waiters: Waiter[] = [];

  get size(): number {
    return this.#waiters.length;
  }

  wait(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const watcher: AbortWatcher | undefined =
        signal === undefined
          ? undefined
          : {
              handleEvent: () => {
                this.#waiters = this.#waiters.filter((w) => w !== waiter);
                reject(signal.reason);
              },
            };
      const waiter: Waiter = { resolve, signal, watcher };
      if (signal !== undefined && watcher !== undefined) watchAbort(signal, watcher);
      this.#waiters.push(waiter);
    });
  }

  /** Resolves every waiter and stops watching their signals. */
  resolveAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (waiter.signal !== undefined && waiter.watcher !== undefined)
        unwatchAbort(waiter.signal, waiter.watcher);
      waiter.resolve();
    }
  }
}
