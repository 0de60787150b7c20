import { Batcher, isBatchFlushError } from '@mcp-exec/ipc-batch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deferred, manualFlush, state, turn } from './helpers.js';

const double = async (items: readonly number[]) => items.map((n) => n * 2);

describe('Batcher: batching', () => {
  it('gathers the items added in one turn into one batch and answers each in order', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>(async (items) => {
      calls.push([...items]);
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(calls).toEqual([[1, 2, 3, 4]]);
  });

  it('waits for callers that reach add() through several awaits in the same turn', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>(async (items) => {
      calls.push([...items]);
      return items;
    });
    const viaAwaits = async (n: number) => {
      await null;
      await Promise.resolve();
      await null;
      return batcher.add(n);
    };
    await Promise.all([batcher.add(1), viaAwaits(2), viaAwaits(3)]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('sends one item per batch when items come one at a time', async () => {
    const batcher = new Batcher(double);
    for (let i = 0; i < 5; i++) expect(await batcher.add(i)).toBe(i * 2);
    expect(batcher.stats()).toMatchObject({ batches: 5, items: 5, meanBatchSize: 1, maxBatchSize: 1 });
  });

  it('splits at maxBatchSize and sends a full batch at once, before the turn ends', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxBatchSize: 3, maxConcurrency: 5 });
    const promises = [1, 2, 3, 4, 5, 6, 7].map((n) => batcher.add(n));
    // Synchronously: the two full batches left already, the partial one waits for the turn to end.
    expect(calls.map((c) => c.items)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await turn();
    expect(calls.map((c) => c.items)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    for (const call of calls) call.done.resolve(call.items.map((n) => -n));
    expect(await Promise.all(promises)).toEqual([-1, -2, -3, -4, -5, -6, -7]);
  });

  it('splits at maxBatchBytes, and an item larger than the limit travels alone', async () => {
    const { calls, flush } = manualFlush<string, number>();
    const batcher = new Batcher(flush, {
      maxBatchBytes: 10,
      sizeOf: (s) => s.length,
      maxConcurrency: 10,
    });
    const promises = ['aaaa', 'bbbb', 'cc', 'dddddddddddddd', 'e', 'ff'].map((s) => batcher.add(s));
    await turn();
    expect(calls.map((c) => c.items)).toEqual([['aaaa', 'bbbb', 'cc'], ['dddddddddddddd'], ['e', 'ff']]);
    for (const call of calls) call.done.resolve(call.items.map((s) => s.length));
    expect(await Promise.all(promises)).toEqual([4, 4, 2, 14, 1, 2]);
  });

  it('rejects an item whose sizeOf throws or is not a number >= 0, and keeps the others', async () => {
    const boom = new Error('cannot size');
    const batcher = new Batcher<string, string>(async (items) => items, {
      maxBatchBytes: 100,
      sizeOf: (s) => {
        if (s === 'throw') throw boom;
        return s === 'nan' ? Number.NaN : s.length;
      },
    });
    const ok = batcher.add('ok');
    await expect(batcher.add('throw')).rejects.toBe(boom);
    await expect(batcher.add('nan')).rejects.toThrow(
      new TypeError('sizeOf must return a number >= 0, got NaN'),
    );
    expect(await ok).toBe('ok');
    expect(batcher.stats().items).toBe(1);
  });

  it('grows batches while the only slot is busy and shrinks back to one item when idle', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxConcurrency: 1 });
    const first = batcher.add(0);
    await turn();
    expect(calls).toHaveLength(1);
    // While the slot is busy, three turns of traffic pile up into the next batch.
    const waiting = [1, 2, 3].map((n) => batcher.add(n));
    await turn();
    waiting.push(batcher.add(4), batcher.add(5));
    await turn();
    expect(calls).toHaveLength(1);
    expect(batcher.stats().queued).toBe(5);
    calls[0]!.done.resolve([0]);
    await first;
    await turn();
    expect(calls.map((c) => c.items)).toEqual([[0], [1, 2, 3, 4, 5]]);
    calls[1]!.done.resolve([1, 2, 3, 4, 5]);
    expect(await Promise.all(waiting)).toEqual([1, 2, 3, 4, 5]);
    const alone = batcher.add(6);
    await turn();
    expect(calls[2]!.items).toEqual([6]);
    calls[2]!.done.resolve([6]);
    await alone;
    expect(batcher.stats()).toEqual({
      batches: 3,
      items: 7,
      meanBatchSize: 7 / 3,
      maxBatchSize: 5,
      inFlight: 0,
      queued: 0,
    });
  });

  it('does not send a partial batch early when a slot frees up in the middle of a turn', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxConcurrency: 1 });
    const first = batcher.add(1);
    await turn();
    calls[0]!.done.resolve([1]);
    const second = batcher.add(2);
    await first; // the slot is free again, but the turn is not over
    const third = batcher.add(3);
    await turn();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3]]);
    calls[1]!.done.resolve([2, 3]);
    expect(await Promise.all([second, third])).toEqual([2, 3]);
  });

  it('accepts items added from inside a flush; they travel in a later batch', async () => {
    const calls: number[][] = [];
    let followUp: Promise<number> | undefined;
    const batcher = new Batcher<number, number>(
      (items) => {
        calls.push([...items]);
        if (followUp === undefined) followUp = batcher.add(items.length * 100);
        return Promise.resolve(items);
      },
      { maxBatchSize: 2, maxConcurrency: 4 },
    );
    const first = [batcher.add(1), batcher.add(2)];
    expect(await Promise.all(first)).toEqual([1, 2]);
    expect(await followUp).toBe(200);
    expect(calls).toEqual([[1, 2], [200]]);
  });

  it('runs up to maxConcurrency flushes at once', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxConcurrency: 2 });
    const a = batcher.add(1);
    await turn();
    const b = batcher.add(2);
    await turn();
    const c = batcher.add(3);
    await turn();
    expect(calls.map((x) => x.items)).toEqual([[1], [2]]);
    expect(batcher.stats()).toMatchObject({ inFlight: 2, queued: 1 });
    calls[1]!.done.resolve([20]);
    expect(await b).toBe(20);
    await turn();
    expect(calls.map((x) => x.items)).toEqual([[1], [2], [3]]);
    calls[0]!.done.resolve([10]);
    calls[2]!.done.resolve([30]);
    expect(await Promise.all([a, c])).toEqual([10, 30]);
  });
});

describe('Batcher: maxDelayMs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds the first item of a batch for maxDelayMs, then flushes everything gathered', async () => {
    vi.useFakeTimers();
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        calls.push([...items]);
        return items;
      },
      { maxDelayMs: 50 },
    );
    const a = batcher.add(1);
    await vi.advanceTimersByTimeAsync(30);
    const b = batcher.add(2);
    await vi.advanceTimersByTimeAsync(19);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([[1, 2]]);
    expect(await Promise.all([a, b])).toEqual([1, 2]);
  });

  it('does not wait for the delay when the batch fills up', async () => {
    vi.useFakeTimers();
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        calls.push([...items]);
        return items;
      },
      { maxDelayMs: 1_000, maxBatchSize: 2 },
    );
    const both = Promise.all([batcher.add(1), batcher.add(2)]);
    expect(calls).toEqual([[1, 2]]);
    expect(await both).toEqual([1, 2]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('Batcher: results', () => {
  it('rejects only the item whose result is an Error', async () => {
    const bad = new Error('bad item');
    const batcher = new Batcher<number, number>(async (items) => items.map((n) => (n === 2 ? bad : n)));
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: bad },
      { status: 'fulfilled', value: 3 },
    ]);
  });

  it('settles items one by one from element promises and holds the slot until the last settles', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxConcurrency: 1 });
    const slow = deferred<number>();
    const fast = deferred<number>();
    const [a, b, c] = [1, 2, 3].map((n) => batcher.add(n));
    await turn();
    calls[0]!.done.resolve([slow.promise, fast.promise, 3]);
    expect(await c).toBe(3);
    fast.reject(new Error('fast failed'));
    await expect(b).rejects.toThrow('fast failed');
    expect(await state(a!)).toBe('pending');
    // The slot is still held by the slow element: a new item waits.
    const d = batcher.add(4);
    await turn();
    expect(calls).toHaveLength(1);
    expect(batcher.stats().inFlight).toBe(1);
    slow.resolve(1);
    expect(await a).toBe(1);
    await turn();
    expect(calls).toHaveLength(2);
    calls[1]!.done.resolve([4]);
    expect(await d).toBe(4);
  });

  it('passes null, undefined, objects and functions through as values', async () => {
    const fn = () => 1;
    const values: unknown[] = [null, undefined, { a: 1 }, [2], fn, 'x'];
    const batcher = new Batcher<number, unknown>(async (items) => items.map((i) => values[i]));
    expect(await Promise.all(values.map((_, i) => batcher.add(i)))).toEqual(values);
  });

  it('survives hostile thenables: a throwing then, a throwing getter, a then that answers twice', async () => {
    const thrown = new Error('then threw');
    const getter = new Error('getter threw');
    const results = [
      {
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is what this test is about
        then() {
          throw thrown;
        },
      },
      Object.defineProperty({}, 'then', {
        get() {
          throw getter;
        },
      }),
      {
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is what this test is about
        then(resolve: (v: number) => void, reject: (e: unknown) => void) {
          resolve(7);
          resolve(8);
          reject(new Error('too late'));
        },
      },
    ];
    const batcher = new Batcher<number, number>(async () => results as never, { maxConcurrency: 1 });
    const settled = await Promise.allSettled([batcher.add(0), batcher.add(1), batcher.add(2)]);
    expect(settled).toEqual([
      { status: 'rejected', reason: thrown },
      { status: 'rejected', reason: getter },
      { status: 'fulfilled', value: 7 },
    ]);
    // The slot was released exactly once: the next batch goes out and the batcher becomes idle.
    const next = await Promise.allSettled([batcher.add(3), batcher.add(4), batcher.add(5)]);
    expect(next.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    await batcher.onIdle();
    expect(batcher.stats()).toMatchObject({ inFlight: 0, batches: 2 });
  });

  it('rejects an item whose element promise fulfils with an Error', async () => {
    const err = new Error('late failure');
    const batcher = new Batcher<number, number>(async (items) =>
      items.map(() => Promise.resolve(err as never)),
    );
    await expect(batcher.add(1)).rejects.toBe(err);
  });

  it('rejects every item of a batch whose flush throws synchronously, with the cause, and goes on', async () => {
    const boom = new Error('boom');
    let fail = true;
    const batcher = new Batcher<number, number>((items) => {
      if (fail) throw boom;
      return Promise.resolve(items);
    });
    const failed = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    for (const r of failed) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason;
      expect(isBatchFlushError(reason)).toBe(true);
      expect(reason).toMatchObject({ code: 'EBATCHFLUSH', batchSize: 2, cause: boom });
    }
    fail = false;
    expect(await batcher.add(3)).toBe(3);
  });

  it('rejects every item of a batch whose flush rejects, and other batches go on', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush, { maxConcurrency: 2 });
    const a = batcher.add(1);
    await turn();
    const b = batcher.add(2);
    await turn();
    const cause = new Error('pipe broke');
    calls[0]!.done.reject(cause);
    calls[1]!.done.resolve([2]);
    await expect(a).rejects.toMatchObject({ name: 'BatchFlushError', cause });
    expect(await b).toBe(2);
  });

  it.each([
    ['too few results', [1], 'flush returned 1 results for 2 items'],
    ['too many results', [1, 2, 3], 'flush returned 3 results for 2 items'],
    ['not an array', 'nope', 'flush returned a string for 2 items'],
  ])('rejects the whole batch when the flush returns %s', async (_label, returned, message) => {
    const batcher = new Batcher<number, unknown>(async () => returned as never);
    const settled = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    for (const r of settled) {
      const reason = (r as PromiseRejectedResult).reason as Error;
      expect(isBatchFlushError(reason)).toBe(true);
      expect(reason.cause).toBeInstanceOf(RangeError);
      expect((reason.cause as Error).message).toBe(message);
    }
    expect(batcher.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('does not leave an unhandled rejection when it discards the element promises of a bad batch', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const batcher = new Batcher<number, number>(async () => [Promise.reject(new Error('lost'))]);
      await Promise.allSettled([batcher.add(1), batcher.add(2)]);
      await turn();
      await turn();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('Batcher: onIdle and stats', () => {
  it('resolves onIdle at once when idle, and after the last flush otherwise', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush);
    expect(await state(batcher.onIdle())).toBe('fulfilled');
    const item = batcher.add(1);
    const idle = batcher.onIdle();
    await turn();
    expect(await state(idle)).toBe('pending');
    calls[0]!.done.resolve([1]);
    await item;
    expect(await state(idle)).toBe('fulfilled');
  });

  it('rejects onIdle with the abort reason and forgets the waiter', async () => {
    const { calls, flush } = manualFlush<number, number>();
    const batcher = new Batcher(flush);
    void batcher.add(1);
    const controller = new AbortController();
    const idle = batcher.onIdle({ signal: controller.signal });
    const reason = new Error('stop waiting');
    controller.abort(reason);
    await expect(idle).rejects.toBe(reason);
    await expect(batcher.onIdle({ signal: controller.signal })).rejects.toBe(reason);
    await turn();
    calls[0]!.done.resolve([1]);
    await batcher.onIdle();
  });

  it('returns a plain JSON-serialisable snapshot', async () => {
    const batcher = new Batcher(double);
    await Promise.all([batcher.add(1), batcher.add(2)]);
    const stats = batcher.stats();
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(stats).toEqual({
      batches: 1,
      items: 2,
      meanBatchSize: 2,
      maxBatchSize: 2,
      inFlight: 0,
      queued: 0,
    });
  });
});
