import type { BatchResult, FlushContext } from '@mcp-exec/ipc-batch';

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending immediate and microtask run (one macrotask turn). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface FlushCall<I, O> {
  readonly items: readonly I[];
  readonly context: FlushContext;
  readonly done: Deferred<readonly BatchResult<O>[]>;
}

/**
 * A flush whose calls are recorded and answered by the test, so that it decides when each batch
 * finishes.
 */
export function manualFlush<I, O>(): {
  readonly calls: FlushCall<I, O>[];
  readonly flush: (items: readonly I[], context: FlushContext) => Promise<readonly BatchResult<O>[]>;
} {
  const calls: FlushCall<I, O>[] = [];
  return {
    calls,
    flush(items, context) {
      const done = deferred<readonly BatchResult<O>[]>();
      calls.push({ items: [...items], context, done });
      return done.promise;
    },
  };
}

/** Settles with a tag so that tests can assert a promise is still pending. */
export function state(promise: Promise<unknown>): Promise<'pending' | 'fulfilled' | 'rejected'> {
  return Promise.race([
    promise.then(
      () => 'fulfilled' as const,
      () => 'rejected' as const,
    ),
    turn().then(() => 'pending' as const),
  ]);
}
