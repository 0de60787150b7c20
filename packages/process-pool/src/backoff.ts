const BASE_MS = 100;
const MAX_MS = 5_000;

/**
 * Paces worker starts after failures: generic-pool asks for a new worker as soon as one fails to
 * start while calls wait, which would otherwise spawn a broken interpreter in a tight loop.
 * Exponential (100 ms doubling up to 5 s) with jitter; the first failure-free start resets it.
 */
export class Backoff {
  #failures = 0;

  failed(): void {
    this.#failures++;
  }

  succeeded(): void {
    this.#failures = 0;
  }

  /** The pause before the next start: 0 unless the previous one failed. */
  delayMs(): number {
    if (this.#failures === 0) return 0;
    const ceiling = Math.min(BASE_MS * 2 ** (this.#failures - 1), MAX_MS);
    return Math.round(ceiling * (0.5 + Math.random() / 2));
  }

  /** Waits out the pause; resolves early (without throwing) when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    const delay = this.delayMs();
    if (delay === 0 || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      // Unref'd: a pause alone must not keep the process alive.
      const timer = setTimeout(done, delay).unref();
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
