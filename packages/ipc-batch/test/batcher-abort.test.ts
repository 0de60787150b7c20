import { getEventListeners } from 'node:events';
import { Batcher } from '@mcp-exec/ipc-batch';
import { describe, expect, it } from 'vitest';
import { manualFlush, state, turn } from './helpers.js';

/** Counts the abort listeners attached to a signal that are still registered. */
function countingSignal(): { controller: AbortController; listeners: () => number } {
  const controller = new AbortController();
  const signal = controller.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  const registered = new Set<unknown>();
  signal.addEventListener = (...args: Parameters<typeof add>) => {
    if (args[0] === 'abort') registered.add(args[1]);
    add(...args);
  };
  signal.removeEventListener = (...args: Parameters<typeof remove>) => {
    if (args[0] === 'abort') registered.delete(args[1]);
    remove(...args);
  };
  return { controller, listeners: () => registered.size };
}

describe('Batcher: abort', () => {
  it('rejects at once with the reason of an already aborted signal, and never flushes the item', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush);
    const reason = new Error('too late');
    await expect(batcher.add(1, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await turn();
    expect(calls).toHaveLength(0);
    expect(batcher.stats().queued).toBe(0);
  });

  it('removes an item aborted before its flush from its batch', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush);
    const controller = new AbortController();
    const a = batcher.add(1);
    const b = batcher.add(2, { signal: controller.signal });
    const c = batcher.add(3);
    const reason = new Error('not needed');
    controller.abort(reason);
    await expect(b).rejects.toBe(reason);
    expect(batcher.stats().queued).toBe(2);
    await turn();
    expect(calls.map((x) => x.items)).toEqual([[1, 3]]);
    calls[0]!.done.resolve([10, 30]);
    expect(await Promise.all([a, c])).toEqual([10, 30]);
  });

  it('flushes nothing and becomes idle when every queued item is aborted', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush);
    const controller = new AbortController();
    const items = [1, 2].map((n) => batcher.add(n, { signal: controller.signal }));
    controller.abort();
    await Promise.allSettled(items);
    expect(await state(batcher.onIdle())).toBe('fulfilled');
    await turn();
    expect(calls).toHaveLength(0);
    expect(batcher.stats()).toMatchObject({ batches: 0, queued: 0 });
  });

  it('rejects at once when aborted after its flush started, and drops the later result', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush);
    const controller = new AbortController();
    const a = batcher.add(1, { signal: controller.signal });
    const b = batcher.add(2);
    await turn();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(a).rejects.toBe(reason);
    expect(calls[0]!.context.signal.aborted).toBe(false);
    calls[0]!.done.resolve([10, 20]);
    expect(await b).toBe(20);
    await batcher.onIdle();
  });

  it('aborts the flush signal once every item of the batch is aborted, with the last reason', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush);
    const first = new AbortController();
    const second = new AbortController();
    const a = batcher.add(1, { signal: first.signal });
    const b = batcher.add(2, { signal: second.signal });
    await turn();
    const { signal } = calls[0]!.context;
    first.abort();
    expect(signal.aborted).toBe(false);
    const reason = new Error('both gone');
    second.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    await Promise.allSettled([a, b]);
    // The slot is held until the flush itself finishes, even though nobody waits for it.
    expect(batcher.stats().inFlight).toBe(1);
    calls[0]!.done.reject(signal.reason);
    await batcher.onIdle();
  });

  it('hands an already aborted signal to a flush that reads it late', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush);
    const controller = new AbortController();
    const a = batcher.add(1, { signal: controller.signal });
    await turn();
    controller.abort('why');
    await expect(a).rejects.toBe('why');
    // The test's flush stored the context but had not read `signal` yet.
    expect(calls[0]!.context.signal.reason).toBe('why');
    calls[0]!.done.resolve([1]);
    await batcher.onIdle();
  });

  it('removes its abort listener as soon as the item settles', async () => {
    const { controller, listeners } = countingSignal();
    const batcher = new Batcher<number, number>(async (items) =>
      items.map((n) => (n === 2 ? new Error('two') : n)),
    );
    for (let i = 0; i < 50; i++) await batcher.add(1, { signal: controller.signal });
    await expect(batcher.add(2, { signal: controller.signal })).rejects.toThrow('two');
    expect(listeners()).toBe(0);
    const pending = batcher.add(3, { signal: controller.signal });
    expect(listeners()).toBe(1);
    await pending;
    expect(listeners()).toBe(0);
  });

  it('gives items waiting on one signal one shared listener, and aborts each of them', async () => {
    const controller = new AbortController();
    const listeners = () => getEventListeners(controller.signal, 'abort').length;
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxBatchSize: 10, maxConcurrency: 1 });
    const items = Array.from({ length: 50 }, (_, i) => batcher.add(i, { signal: controller.signal }));
    expect(listeners()).toBe(1);
    expect(calls).toHaveLength(1); // one batch in flight, four queued behind it
    // The batch in flight answers: its items leave the shared listener, the queued ones keep it.
    calls[0]!.done.resolve(calls[0]!.items);
    expect(await Promise.all(items.slice(0, 10))).toEqual(calls[0]!.items);
    expect(listeners()).toBe(1);
    const reason = new Error('stop');
    controller.abort(reason);
    for (const item of items.slice(10)) await expect(item).rejects.toBe(reason);
    expect(listeners()).toBe(0);
    await turn();
    // The second batch had gone out when the first answered; the three still queued never do.
    expect(calls.map((call) => call.items.length)).toEqual([10, 10]);
  });
});
