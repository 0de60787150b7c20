import { setMaxListeners } from 'node:events';

/** Abort listeners one in-flight call may add to its signal (breaker, queue, pool). */
const LISTENERS_PER_CALL = 4;

/**
 * A signal of our own for `concurrency` calls that share one cancellation. Every in-flight call
 * adds a few listeners to it, more than Node's warning threshold of 10; the bound set here
 * follows from `concurrency`, so a real leak still warns.
 */
export function sharedSignalController(concurrency: number): AbortController {
  const controller = new AbortController();
  setMaxListeners(concurrency * LISTENERS_PER_CALL + 10, controller.signal);
  return controller;
}

/**
 * A shared signal that aborts (with the same reason) when `source` does, so that the calls of a
 * batch add their listeners to it and `source` gets only one. Call `dispose` when the batch ends.
 */
export function linkSignal(
  source: AbortSignal,
  concurrency: number,
): { signal: AbortSignal; dispose: () => void } {
  const controller = sharedSignalController(concurrency);
  if (source.aborted) {
    controller.abort(source.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const onAbort = (): void => controller.abort(source.reason);
  source.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, dispose: () => source.removeEventListener('abort', onAbort) };
}
