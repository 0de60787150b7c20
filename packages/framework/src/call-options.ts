import type { ExecuteOptions } from './types.js';

/** One call's options, checked, with the timeout resolved. */
export interface CallOptions {
  readonly priority: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** Called when the call leaves the queue (background tasks track their state with it). */
  readonly onStart: (() => void) | undefined;
}

// setTimeout's ceiling: longer delays fire at once.
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks a call's options; throws `TypeError` naming the option and the value. */
export function checkCallOptions(
  options: ExecuteOptions | undefined,
  defaultTimeoutMs: number,
  onStart: (() => void) | undefined,
): CallOptions {
  if (options === undefined) return { priority: 0, timeoutMs: defaultTimeoutMs, signal: undefined, onStart };
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const { priority = 0, timeoutMs = defaultTimeoutMs, signal } = options;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) {
    throw new TypeError(`priority must be a finite number, got ${String(priority)}`);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_MS) {
    throw new TypeError(
      `timeoutMs must be an integer between 1 and ${MAX_TIMER_MS}, got ${String(timeoutMs)}`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal, got ${typeof signal}`);
  }
  return { priority, timeoutMs, signal, onStart };
}

/** The `timeoutMs` of `close()`. */
export function closeTimeoutOf(options: { readonly timeoutMs?: number } | undefined): number {
  const timeoutMs = options?.timeoutMs ?? 5_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_TIMER_MS) {
    throw new TypeError(
      `close timeoutMs must be an integer between 0 and ${MAX_TIMER_MS}, got ${String(timeoutMs)}`,
    );
  }
  return timeoutMs;
}
