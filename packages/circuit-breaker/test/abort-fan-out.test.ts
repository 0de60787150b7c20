import { getEventListeners } from 'node:events';
import { type AbortWatcher, unwatchAbort, watchAbort } from '@mcp-exec/circuit-breaker';
import { afterEach, describe, expect, it, vi } from 'vitest';

function counter(): AbortWatcher & { calls: number } {
  const watcher = {
    calls: 0,
    handleEvent() {
      watcher.calls++;
    },
  };
  return watcher;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('watchAbort / unwatchAbort', () => {
  it('puts one listener on a signal for all its watchers and calls each once on abort', () => {
    const controller = new AbortController();
    const watchers = Array.from({ length: 20 }, counter);
    for (const watcher of watchers) watchAbort(controller.signal, watcher);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(watchers.map((w) => w.calls)).toEqual(Array(20).fill(1));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes the listener with the last watcher, and ignores a watcher it does not hold', () => {
    const controller = new AbortController();
    const [a, b, stranger] = [counter(), counter(), counter()];
    watchAbort(controller.signal, a);
    watchAbort(controller.signal, b);
    unwatchAbort(controller.signal, stranger);
    unwatchAbort(new AbortController().signal, a);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    unwatchAbort(controller.signal, a);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    unwatchAbort(controller.signal, b);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    expect([a.calls, b.calls, stranger.calls]).toEqual([0, 0, 0]);
  });

  it('keeps signals apart, and starts afresh after a signal lost its last watcher', () => {
    const one = new AbortController();
    const two = new AbortController();
    const [a, b] = [counter(), counter()];
    watchAbort(one.signal, a);
    unwatchAbort(one.signal, a);
    watchAbort(one.signal, a);
    watchAbort(two.signal, b);
    one.abort();
    expect([a.calls, b.calls]).toEqual([1, 0]);
    expect(getEventListeners(two.signal, 'abort')).toHaveLength(1);
  });

  it('calls every watcher even if one throws, and reports that error in a microtask', () => {
    const reported: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      reported.push(callback);
    });
    const controller = new AbortController();
    const error = new Error('watcher failed');
    const after = counter();
    watchAbort(controller.signal, {
      handleEvent() {
        throw error;
      },
    });
    watchAbort(controller.signal, after);
    controller.abort();
    expect(after.calls).toBe(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toThrow(error);
  });
});
