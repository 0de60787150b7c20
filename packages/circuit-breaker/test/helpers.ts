/** A promise with its resolve and reject exposed, to finish a call exactly when a test wants. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = unknown>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Where a promise stands, without waiting for it. Settles observed within a few microtask turns. */
export async function peek<T>(
  promise: Promise<T>,
): Promise<{ state: 'pending' } | { state: 'fulfilled'; value: T } | { state: 'rejected'; error: unknown }> {
  let outcome: { state: 'fulfilled'; value: T } | { state: 'rejected'; error: unknown } | undefined;
  promise.then(
    (value) => {
      outcome = { state: 'fulfilled', value };
    },
    (error: unknown) => {
      outcome = { state: 'rejected', error };
    },
  );
  for (let turn = 0; turn < 20; turn++) await Promise.resolve();
  return outcome ?? { state: 'pending' };
}

/** An error that counts as a failure by default. */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
}

/** An error that marks itself as the caller's fault. */
export class BadInputError extends Error {
  override readonly name = 'BadInputError';
  readonly callerError = true;
}

/** Calls `fn`, expecting a rejection, and returns the reason. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it fulfilled');
}
