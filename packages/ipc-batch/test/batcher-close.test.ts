import { Batcher, isBatcherClosedError, isQueueFullError, QueueFullError } from '@mcp-exec/ipc-batch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualFlush, state, turn } from './helpers.js';

describe('Batcher: maxPending', () => {
  it('rejects with QueueFullError beyond maxPending queued items, and accepts again once flushed', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxPending: 2 });
    const a = batcher.add(1);
    const b = batcher.add(2);
    const refused = batcher.add(3);
    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    await expect(refused).rejects.toMatchObject({ code: 'EQUEUEFULL', maxPending: 2 });
    await refused.catch((error: unknown) => expect(isQueueFullError(error)).toBe(true));
    await turn();
    // In flight items no longer count against the bound.
    const c = batcher.add(3);
    expect(batcher.stats()).toMatchObject({ queued: 1, inFlight: 1 });
    calls[0]!.done.resolve([1, 2]);
    await turn();
    calls[1]!.done.resolve([3]);
    expect(await Promise.all([a, b, c])).toEqual([1, 2, 3]);
  });
});

describe('Batcher: close', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('flushes the queued items without waiting for maxDelayMs, then rejects new ones', async () => {
    vi.useFakeTimers();
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        calls.push([...items]);
        return items;
      },
      { maxDelayMs: 60_000 },
    );
    const items = [batcher.add(1), batcher.add(2)];
    await batcher.close();
    expect(calls).toEqual([[1, 2]]);
    expect(await Promise.all(items)).toEqual([1, 2]);
    const late = batcher.add(3);
    await expect(late).rejects.toMatchObject({ name: 'BatcherClosedError', code: 'EBATCHERCLOSED' });
    await late.catch((error: unknown) => expect(isBatcherClosedError(error)).toBe(true));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for in-flight flushes and flushes what queued behind them', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxConcurrency: 1 });
    const a = batcher.add(1);
    await turn();
    const b = batcher.add(2);
    const closed = batcher.close();
    expect(await state(closed)).toBe('pending');
    calls[0]!.done.resolve([1]);
    await turn();
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
    expect(await state(closed)).toBe('pending');
    calls[1]!.done.resolve([2]);
    await closed;
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(batcher.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('on abort, aborts running flushes and rejects every unsettled item with BatcherClosedError', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxConcurrency: 1 });
    const running = batcher.add(1);
    await turn();
    const queued = batcher.add(2);
    const controller = new AbortController();
    const closed = batcher.close({ signal: controller.signal });
    const reason = new Error('shutdown deadline');
    controller.abort(reason);
    await expect(closed).rejects.toBe(reason);
    for (const item of [running, queued]) {
      const error = await item.catch((e: unknown) => e);
      expect(isBatcherClosedError(error)).toBe(true);
      expect((error as Error).cause).toBe(reason);
    }
    expect(calls[0]!.context.signal.aborted).toBe(true);
    expect(calls[0]!.context.signal.reason).toBe(reason);
    expect(calls).toHaveLength(1);
    expect(batcher.stats()).toMatchObject({ inFlight: 0, queued: 0 });
    // A late answer of the abandoned flush is dropped without effect.
    calls[0]!.done.resolve([1]);
    await turn();
    expect(await state(batcher.onIdle())).toBe('fulfilled');
  });

  it('on abort, releases every flush in flight, whatever order the others finished in', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxConcurrency: 4 });
    const items: Promise<number>[] = [];
    for (let n = 0; n < 4; n++) {
      items.push(batcher.add(n));
      await turn();
    }
    expect(batcher.stats().inFlight).toBe(4);
    // Finish the second and the last, so the list of flushes in flight loses a middle and an end.
    calls[1]!.done.resolve([1]);
    calls[3]!.done.resolve([3]);
    expect(await Promise.all([items[1], items[3]])).toEqual([1, 3]);
    expect(batcher.stats().inFlight).toBe(2);
    await expect(batcher.close({ signal: AbortSignal.abort('deadline') })).rejects.toBe('deadline');
    for (const n of [0, 2]) {
      await expect(items[n]).rejects.toMatchObject({ name: 'BatcherClosedError', cause: 'deadline' });
      expect(calls[n]!.context.signal.aborted).toBe(true);
    }
    expect(calls[1]!.context.signal.aborted).toBe(false);
    expect(batcher.stats()).toMatchObject({ inFlight: 0, queued: 0, batches: 4 });
  });

  it('closes at once, forcing, when given an already aborted signal', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush);
    const item = batcher.add(1);
    await expect(batcher.close({ signal: AbortSignal.abort('now') })).rejects.toBe('now');
    await expect(item).rejects.toMatchObject({ name: 'BatcherClosedError', cause: 'now' });
    expect(calls[0]?.context.signal.aborted).toBe(true);
  });

  it('resolves at once when closing an idle batcher', async () => {
    const batcher = new Batcher<number, number>(async (items) => items);
    expect(await state(batcher.close())).toBe('fulfilled');
  });
});
