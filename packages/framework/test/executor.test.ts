import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FrameworkClosedError, isQueueFullError } from '../src/errors.js';
import { Executor } from '../src/executor/executor.js';
import { PriorityQueue } from '../src/executor/priority-queue.js';

function deferred<T = string>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('PriorityQueue', () => {
  it('dequeues higher priorities first, FIFO within a priority, and skips cancelled items', () => {
    const q = new PriorityQueue<{ removed: boolean; id: string }>();
    const item = (id: string) => ({ removed: false, id });
    const b = item('b');
    q.enqueue(item('a'), 0);
    q.enqueue(b, 5);
    q.enqueue(item('c'), 5);
    q.enqueue(item('d'), -1);
    q.enqueue(item('e'), 0);
    expect(q.cancel(b)).toBe(true);
    expect(q.cancel(b)).toBe(false);
    expect(q.size).toBe(4);
    expect(q.drain().map((i) => i.id)).toEqual(['c', 'a', 'e', 'd']);
    expect(q.size).toBe(0);
    expect(q.dequeue()).toBeUndefined();
  });

  it('stays FIFO across compaction of a long level', () => {
    const q = new PriorityQueue<{ removed: boolean; n: number }>();
    const out: number[] = [];
    for (let n = 0; n < 5_000; n++) {
      q.enqueue({ removed: false, n }, 0);
      if (n % 2 === 1) out.push(q.dequeue()!.n);
    }
    out.push(...q.drain().map((i) => i.n));
    expect(out).toEqual(Array.from({ length: 5_000 }, (_, n) => n));
  });
});

describe('Executor', () => {
  it('runs at most `concurrency` tasks and starts queued ones by priority', async () => {
    const ex = new Executor(2, Number.POSITIVE_INFINITY);
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<string>>>();
    const task = (id: string) => () => {
      started.push(id);
      const gate = deferred();
      gates.set(id, gate);
      return gate.promise;
    };
    const results = [
      ex.run(task('a')),
      ex.run(task('b')),
      ex.run(task('low'), -1),
      ex.run(task('c')),
      ex.run(task('high'), 10),
    ];
    const all = Promise.allSettled(results);
    expect(started).toEqual(['a', 'b']);
    expect(ex.stats()).toMatchObject({ running: 2, queued: 3, maxConcurrent: 2, maxQueue: null });
    gates.get('a')!.resolve('A');
    await tick();
    expect(started).toEqual(['a', 'b', 'high']);
    gates.get('b')!.reject(new Error('B failed'));
    gates.get('high')!.resolve('H');
    await tick();
    expect(started).toEqual(['a', 'b', 'high', 'c', 'low']);
    gates.get('c')!.resolve('C');
    gates.get('low')!.resolve('L');
    const settled = await all;
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'A',
      'B failed',
      'L',
      'C',
      'H',
    ]);
    expect(ex.stats()).toEqual({
      running: 0,
      queued: 0,
      completed: 4,
      failed: 1,
      maxConcurrent: 2,
      maxQueue: null,
    });
  });

  it('refuses work beyond maxQueue with QueueFullError and keeps the rest', async () => {
    const ex = new Executor(1, 2);
    const gate = deferred();
    const first = ex.run(() => gate.promise);
    const queued = [ex.run(async () => 'q1'), ex.run(async () => 'q2')];
    const refused = await ex.run(async () => 'q3').catch((e: unknown) => e);
    expect(isQueueFullError(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'EQUEUEFULL', maxQueue: 2 });
    expect((refused as Error).message).toBe('The queue is full: 2 calls are already waiting');
    gate.resolve('first');
    expect(await Promise.all([first, ...queued])).toEqual(['first', 'q1', 'q2']);
  });

  it('tryAcquire takes a free slot only when nobody waits, and release frees it', async () => {
    const ex = new Executor(2, 10);
    expect(ex.tryAcquire()).toBe(true);
    expect(ex.tryAcquire()).toBe(true);
    expect(ex.tryAcquire()).toBe(false);
    const queued = ex.run(async () => 'queued');
    expect(ex.stats()).toMatchObject({ running: 2, queued: 1 });
    ex.release(true);
    // The freed slot went to the waiting task, not to a newcomer.
    expect(ex.tryAcquire()).toBe(false);
    await expect(queued).resolves.toBe('queued');
    ex.release(false);
    expect(ex.stats()).toMatchObject({ running: 0, completed: 2, failed: 1 });
    ex.close(new FrameworkClosedError());
    expect(ex.tryAcquire()).toBe(false);
  });

  it('turns a synchronous throw into a rejection and frees the slot', async () => {
    const ex = new Executor(1, 10);
    const boom = ex.run(() => {
      throw new Error('sync boom');
    });
    await expect(boom).rejects.toThrow('sync boom');
    await expect(ex.run(async () => 'next')).resolves.toBe('next');
    expect(ex.stats()).toMatchObject({ running: 0, completed: 1, failed: 1 });
  });

  it('drops a queued task whose signal aborts, with signal.reason and no listener left', async () => {
    const ex = new Executor(1, 10);
    const gate = deferred();
    const running = ex.run(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const queued = ex.run(
      async () => {
        ran = true;
      },
      0,
      controller.signal,
    );
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(ex.stats()).toMatchObject({ queued: 0, running: 1 });
    gate.resolve('done');
    await running;
    await tick();
    expect(ran).toBe(false);
    expect(ex.stats()).toMatchObject({ completed: 1, failed: 0 });
  });

  it('gives queued tasks waiting on one signal one shared listener, and drops each on abort', async () => {
    const ex = new Executor(1, 100);
    const gate = deferred();
    const running = ex.run(() => gate.promise);
    const controller = new AbortController();
    const queued = Array.from({ length: 30 }, (_, i) => ex.run(async () => i, 0, controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    for (const task of queued) await expect(task).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(ex.stats()).toMatchObject({ queued: 0, running: 1 });
    gate.resolve('done');
    await running;
  });

  it('removes the abort listener when a queued task starts', async () => {
    const ex = new Executor(1, 10);
    const gate = deferred();
    const running = ex.run(() => gate.promise);
    const controller = new AbortController();
    const queued = ex.run(async () => 'ok', 0, controller.signal);
    gate.resolve('x');
    await Promise.all([running, queued]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ex = new Executor(1, 10);
    const reason = new Error('already');
    let ran = false;
    await expect(
      ex.run(
        async () => {
          ran = true;
        },
        0,
        AbortSignal.abort(reason),
      ),
    ).rejects.toBe(reason);
    expect(ran).toBe(false);
  });

  it('close() rejects waiting tasks and new ones, lets running ones finish, and onIdle() tells when', async () => {
    const ex = new Executor(1, 10);
    const gate = deferred();
    const running = ex.run(() => gate.promise);
    const controller = new AbortController();
    const waiting = ex.run(async () => 'never', 0, controller.signal);
    const closed = new FrameworkClosedError();
    ex.close(closed);
    await expect(waiting).rejects.toBe(closed);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(ex.run(async () => 'late')).rejects.toBe(closed);
    let idle = false;
    const idlePromise = ex.onIdle().then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    gate.resolve('finished');
    await expect(running).resolves.toBe('finished');
    await idlePromise;
    expect(idle).toBe(true);
    await expect(ex.onIdle()).resolves.toBeUndefined();
  });
});
