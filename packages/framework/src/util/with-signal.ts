import { type AbortWatcher, unwatchAbort, watchAbort } from '@mcp-exec/circuit-breaker';

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts. The work
 * behind `promise` goes on (it is shared, like a skill load or the start of the workers); only
 * this caller stops waiting. The watch ends either way; callers sharing a signal share one
 * listener on it (see `watchAbort`).
 */
export function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const watcher: AbortWatcher = { handleEvent: () => reject(signal.reason) };
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
