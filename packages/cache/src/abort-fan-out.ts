/** Waits for a signal to abort: the shape of a DOM `EventListenerObject`. */
export interface AbortWatcher {
  handleEvent(): void;
}

/** The watchers of one signal, and its one listener: the first watcher in a field, more in a set. */
class Fan {
  readonly #signal: AbortSignal;
  first: AbortWatcher | undefined;
  more: Set<AbortWatcher> | undefined;

  constructor(signal: AbortSignal, first: AbortWatcher) {
    this.#signal = signal;
    this.first = first;
  }

  get empty(): boolean {
    return this.first === undefined && (this.more === undefined || this.more.size === 0);
  }

  handleEvent(): void {
    fans.delete(this.#signal);
    if (this.first !== undefined) call(this.first);
    if (this.more !== undefined) for (const watcher of this.more) call(watcher);
  }
}

function call(watcher: AbortWatcher): void {
  try {
    watcher.handleEvent();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

const fans = new WeakMap<AbortSignal, Fan>();

/**
 * Calls `watcher.handleEvent()` once `signal` aborts. All the watchers of one signal share a
 * single listener on it: thousands of calls may wait on one caller's signal at once, and a
 * listener each would trip Node's `MaxListenersExceededWarning` at the eleventh and pay for an
 * EventTarget registration per call. The caller checks `signal.aborted` first. A watcher that
 * throws does not keep the others from running; its error is rethrown in a microtask, as an
 * EventTarget listener's would be reported.
 */
export function watchAbort(signal: AbortSignal, watcher: AbortWatcher): void {
  const fan = fans.get(signal);
  if (fan === undefined) {
    const fresh = new Fan(signal, watcher);
    fans.set(signal, fresh);
    signal.addEventListener('abort', fresh, { once: true });
  } else if (fan.first === undefined) {
    fan.first = watcher;
  } else {
    fan.more ??= new Set();
    fan.more.add(watcher);
  }
}

/** Stops watching; the signal's listener goes once its last watcher does. */
export function unwatchAbort(signal: AbortSignal, watcher: AbortWatcher): void {
  const fan = fans.get(signal);
  if (fan === undefined) return;
  if (fan.first === watcher) fan.first = undefined;
  else if (fan.more === undefined || !fan.more.delete(watcher)) return;
  if (!fan.empty) return;
  fans.delete(signal);
  signal.removeEventListener('abort', fan);
}
