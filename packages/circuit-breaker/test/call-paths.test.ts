import { getEventListeners } from 'node:events';
import { type CallContext, CircuitBreaker } from '@mcp-exec/circuit-breaker';
import { describe, expect, it } from 'vitest';
import { DependencyError, deferred, rejectionOf } from './helpers.js';

/**
 * The two ways a call runs: the cheap path (no timeout, no signal: shared promise reactions) and
 * the guarded path (a caller's signal or a timeout). Whatever the action does, both must count
 * it the same way and settle the caller's promise.
 */
const paths = [
  { path: 'cheap', run: (b: CircuitBreaker, fn: (c: CallContext) => unknown) => b.execute(fn) },
  {
    path: 'caller signal',
    run: (b: CircuitBreaker, fn: (c: CallContext) => unknown) =>
      b.execute(fn, { signal: new AbortController().signal }),
  },
] as const;

describe.each(paths)('$path path', ({ run }) => {
  it('an action that throws synchronously rejects with its error and counts as a failure', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2 });
    const bug = new DependencyError('sync');
    const fn = () => {
      throw bug;
    };
    expect(await rejectionOf(run(breaker, fn))).toBe(bug);
    expect(breaker.stats()).toMatchObject({ state: 'CLOSED', consecutiveFailures: 1 });
    expect(await rejectionOf(run(breaker, fn))).toBe(bug);
    expect(breaker.state).toBe('OPEN');
    breaker.shutdown(); // its reset timer
  });

  it('a plain value and a foreign thenable resolve and count as successes', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    expect(await run(breaker, () => 7)).toBe(7);
    // biome-ignore lint/suspicious/noThenProperty: a foreign thenable is what this test is about.
    const thenable = { then: (resolve: (value: string) => void) => resolve('later') };
    expect(await run(breaker, () => thenable)).toBe('later');
    expect(breaker.stats().window).toMatchObject({ successes: 2, failures: 0 });
  });

  it('a call admitted before a transition is not counted after it, nor are later ones mixed up', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    const early = deferred<string>();
    const stale = run(breaker, () => early.promise);
    breaker.open();
    breaker.close();
    expect(await run(breaker, () => 'fresh')).toBe('fresh');
    early.reject(new DependencyError('late'));
    expect(await rejectionOf(stale)).toBeInstanceOf(DependencyError);
    expect(breaker.stats()).toMatchObject({ state: 'CLOSED', consecutiveFailures: 0 });
    expect(breaker.stats().window).toMatchObject({ successes: 1, failures: 0 });
  });

  it('returns a native promise whatever the action returns', async () => {
    const breaker = new CircuitBreaker();
    class Custom<T> extends Promise<T> {}
    const result = run(breaker, () => Custom.resolve(1));
    expect(result.constructor).toBe(Promise);
    expect(await result).toBe(1);
  });
});

describe('caller signal', () => {
  it('many concurrent calls on one signal share one listener, all settle and leave none', async () => {
    const breaker = new CircuitBreaker();
    const controller = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const gates = Array.from({ length: 50 }, () => deferred<number>());
      const calls = gates.map((gate) => breaker.execute(() => gate.promise, { signal: controller.signal }));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      for (const [i, gate] of gates.entries()) gate.resolve(i);
      expect(await Promise.all(calls)).toEqual(gates.map((_, i) => i));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a call that settles leaves the shared listener to the calls still waiting', async () => {
    const breaker = new CircuitBreaker();
    const controller = new AbortController();
    const first = deferred<number>();
    const settled = breaker.execute(() => first.promise, { signal: controller.signal });
    const waiting = breaker.execute(() => new Promise<never>(() => {}), { signal: controller.signal });
    first.resolve(1);
    expect(await settled).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await rejectionOf(waiting)).toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('an abort rejects every pending call on that signal at once, uncounted', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    const controller = new AbortController();
    const never = () => new Promise<never>(() => {});
    const calls = [1, 2, 3].map(() => breaker.execute(never, { signal: controller.signal }));
    const reason = new Error('stop');
    controller.abort(reason);
    for (const call of calls) expect(await rejectionOf(call)).toBe(reason);
    expect(breaker.stats()).toMatchObject({ state: 'CLOSED', consecutiveFailures: 0 });
    expect(breaker.stats().window.ignored).toBe(3);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
