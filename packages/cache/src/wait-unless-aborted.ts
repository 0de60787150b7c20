import { unwatchAbort, watchAbort } from './abort-fan-out.js';

/**
 * Settles like `promise`, except that it rejects with `signal.reason` as soon as `signal` aborts,
 * after calling `onAbort`. The watch ends once either happens, so a long-lived signal shared by
 * many calls does not collect listeners; calls waiting at once share one (see `watchAbort`).
 */
export function waitUnlessAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  onAbort: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const watcher = {
      handleEvent(): void {
        onAbort();
        reject(signal.reason);
      },
    };
    watchAbort(signal, watcher);
    promise.then(
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
