import type { CallContext } from './types.js';

/** How a guarded call ended, as far as the breaker's bookkeeping is concerned. */
export type GuardedOutcome = 'success' | 'error' | 'timeout' | 'aborted';

/** What a guarded call needs from its breaker. */
export interface CallGuard {
  /** Per-call limit in ms, or false. */
  readonly timeoutMs: number | false;
  /** The caller's signal, if any. */
  readonly signal: AbortSignal | undefined;
  /** Builds the error a timed-out call rejects with (and aborts its signal with). */
  readonly timeoutError: () => unknown;
  /** Told once how the call ended, before the caller's promise settles; not told after `cancel`. */
  readonly settle: (outcome: GuardedOutcome, error: unknown) => void;
  /** Holds the call's `cancel` while it is in flight, so `shutdown()` can end it. */
  readonly inFlight: Set<(reason: unknown) => void>;
}

/**
 * Runs `invoke` with a timeout and/or a caller's signal: the slow path, taken only when the call
 * needs one of them. A call with a timeout gets its own AbortController, so its timeout aborts
 * that call alone; a call with only a caller's signal passes that signal through and allocates
 * no controller. One timer per call: Node keeps timers of equal duration in one list on one
 * native handle, so this is already the shared-timer design, and the timer is cleared the moment
 * the call settles, so none exists while no call is in flight.
 */
export function guardedCall<T>(
  invoke: (context: CallContext) => T | PromiseLike<T>,
  attempt: number,
  guard: CallGuard,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal: callerSignal, timeoutMs, inFlight } = guard;
    const controller = timeoutMs === false ? undefined : new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let done = false;

    const finish = (): void => {
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
      inFlight.delete(cancel);
    };
    // `settle` emits events; a listener that throws must not leave the call pending.
    const end = (outcome: GuardedOutcome, error: unknown): void => {
      finish();
      controller?.abort(error);
      try {
        guard.settle(outcome, error);
      } finally {
        reject(error);
      }
    };
    function onAbort(): void {
      if (!done) end('aborted', callerSignal?.reason);
    }
    function cancel(reason: unknown): void {
      if (done) return;
      finish();
      controller?.abort(reason);
      reject(reason);
    }

    if (controller !== undefined) {
      timer = setTimeout(() => {
        if (!done) end('timeout', guard.timeoutError());
      }, timeoutMs as number);
      timer.unref();
    }
    callerSignal?.addEventListener('abort', onAbort, { once: true });
    inFlight.add(cancel);

    const signal = controller?.signal ?? (callerSignal as AbortSignal);
    new Promise<T>((run) => run(invoke({ signal, attempt }))).then(
      (value) => {
        if (done) return;
        finish();
        try {
          guard.settle('success', undefined);
        } finally {
          resolve(value);
        }
      },
      (error: unknown) => {
        if (done) return;
        finish();
        try {
          guard.settle('error', error);
        } finally {
          reject(error);
        }
      },
    );
  });
}
