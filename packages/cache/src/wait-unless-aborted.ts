/**
 * Settles like `promise`, except that it rejects with `signal.reason` as soon as `signal` aborts,
 * after calling `onAbort`. The abort listener is removed once either happens, so a long-lived
 * signal shared by many calls does not collect listeners.
 */
export function waitUnlessAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  onAbort: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
