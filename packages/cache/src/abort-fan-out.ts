/** Waits for a signal to abort: the shape of a DOM `EventListenerObject`. */
export interface AbortWatcher {
  handleEvent(): void;
}

interface Fan {
  readonly watchers: Set<AbortWatcher>;
  readonly listener: () => void;
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
  let fan = fans.get(signal);
  if (fan === undefined) {
    const watchers = new Set<AbortWatcher>();
    const listener = (): void => {
      fans.delete(signal);
      for (const each of watchers) {
        try {
          each.handleEvent();
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    };
    fan = { watchers, listener };
    fans.set(signal, fan);
    signal.addEventListener('abort', listener, { once: true });
  }
  fan.watchers.add(watcher);
}

/** Stops watching; the signal's listener goes once its last watcher does. */
export function unwatchAbort(signal: AbortSignal, watcher: AbortWatcher): void {
  const fan = fans.get(signal);
  if (fan === undefined || !fan.watchers.delete(watcher) || fan.watchers.size > 0) return;
  fans.delete(signal);
  signal.removeEventListener('abort', fan.listener);
}
