import { describe, expect, it } from 'vitest';
import { isWorkerCrashedError } from '../src/index.js';
import { createPool, fixture } from './helpers.js';

const basic = fixture('basic.py');
const slow = fixture('slow.py');

describe('2. batching', () => {
  it('sends concurrent calls together and a lone call at once', async () => {
    const pool = createPool({ maxWorkers: 1 });
    await pool.start();
    const lone = await pool.run({ path: basic, fn: 'add', params: { a: 1, b: 1 } });
    expect(lone.value).toBe(2);
    expect(pool.stats()).toMatchObject({ batches: 1, meanBatchSize: 1 });

    const many = await Promise.all(
      Array.from({ length: 50 }, (_, i) => pool.run({ path: basic, fn: 'add', params: { a: i, b: 0 } })),
    );
    expect(many.map((r) => r.value)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(pool.stats().batches).toBe(2);
  });

  it('splits batches at maxBatchSize', async () => {
    const pool = createPool({ maxWorkers: 1, batch: { maxBatchSize: 10 } });
    await Promise.all(Array.from({ length: 35 }, () => pool.run({ path: basic, fn: 'pid' })));
    expect(pool.stats().batches).toBe(4);
  });

  it('does not hold a finished result back behind a slow task of the same batch', async () => {
    const pool = createPool({ maxWorkers: 1 });
    await pool.start();
    await pool.run({ path: slow, fn: 'quick' }); // known to be fast from now on
    // Busy workers when the quick result arrives: 1 if the nap still runs, 0 had it waited for it.
    const fast = pool
      .run({ path: slow, fn: 'quick', params: { value: 'first' } })
      .then(() => pool.stats().workers.busy);
    const sleeper = pool.run({ path: slow, fn: 'nap', params: { seconds: 1.5 } });
    expect(await fast).toBe(1);
    await sleeper;
    expect(pool.stats().batches).toBe(2); // quick and nap travelled together
  });

  it('gives each call of a batch its own result, plain results and others mixed', async () => {
    const pool = createPool({ maxWorkers: 1 });
    await pool.start();
    await pool.run({ path: basic, fn: 'echo', params: { value: 0 } }); // known to be fast from now on
    // Plain results travel together; a result with output or an error has its own line, in order.
    const calls = Array.from({ length: 300 }, (_, i) => {
      if (i % 50 === 7) return pool.run({ path: basic, fn: 'shout', params: { text: `call ${i}` } });
      if (i % 50 === 31) return pool.run({ path: basic, fn: 'fail', params: { message: `call ${i}` } });
      return pool.run({ path: basic, fn: 'echo', params: { value: { i } } });
    });
    const outcomes = await Promise.allSettled(calls);
    outcomes.forEach((outcome, i) => {
      if (i % 50 === 7) {
        expect(outcome).toMatchObject({
          status: 'fulfilled',
          value: { value: `CALL ${i}`, stdout: 'about to shout\n' },
        });
      } else if (i % 50 === 31) {
        expect(outcome).toMatchObject({
          status: 'rejected',
          reason: { pythonType: 'ValueError', message: `ValueError: call ${i}` },
        });
      } else {
        expect(outcome).toMatchObject({
          status: 'fulfilled',
          value: { value: { i }, stdout: '', stderr: '' },
        });
      }
    });
    const stats = pool.stats();
    expect(stats.tasksRun).toBe(301);
    expect(stats.succeeded).toBe(301 - 6);
    expect(stats.failures.python).toBe(6);
  });

  it('sends a result as it was when the call returned, not as later calls changed it', async () => {
    const pool = createPool({ maxWorkers: 1 });
    await pool.start();
    await pool.run({ path: basic, fn: 'echo' }); // the module is imported
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => pool.run({ path: basic, fn: 'remember', params: { value: i } })),
    );
    expect(pool.stats().batches).toBe(2); // the five travelled together
    expect(results.map((r) => r.value)).toEqual([[0], [0, 1], [0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, 4]]);
  });

  it('does not lose a finished result when the worker dies later in the batch', async () => {
    const pool = createPool({ maxWorkers: 1 });
    await pool.start();
    await pool.run({ path: slow, fn: 'quick' });
    const fast = pool.run({ path: slow, fn: 'quick', params: { value: 'kept' } });
    const fatal = pool.run({ path: fixture('crash.py'), fn: 'exit_hard', params: { code: 9 } });
    expect((await fast).value).toBe('kept');
    const error = await fatal.catch((e: unknown) => e);
    expect(isWorkerCrashedError(error)).toBe(true);
    expect(error).toMatchObject({ exitCode: 9, signal: null, running: true });
    expect((error as Error).message).toContain('about to exit hard');
  });

  it('shares a burst out among idle workers instead of queueing it on one', async () => {
    const pool = createPool({ minWorkers: 2, maxWorkers: 2 });
    await pool.start();
    const before = pool.stats().batches;
    const naps = await Promise.all(
      [1, 2, 3, 4].map(() => pool.run({ path: slow, fn: 'nap', params: { seconds: 0.2 } })),
    );
    // The four calls formed one batch; two idle workers took two tasks each.
    expect(pool.stats().batches - before).toBe(2);
    expect(new Set(naps.map((r) => r.workerId)).size).toBe(2);
    expect(naps.filter((r) => r.workerId === naps[0]!.workerId)).toHaveLength(2);
  });

  it('queues a batch behind a busy worker only while its batches are quick, never behind a slow task', async () => {
    const pool = createPool({ minWorkers: 2, maxWorkers: 2 });
    await pool.start();
    // Both workers have run quick batches: each could take a second batch behind its current one.
    await Promise.all([1, 2, 3, 4].map(() => pool.run({ path: slow, fn: 'quick' })));
    const began = Date.now();
    const long = pool.run({ path: slow, fn: 'nap', params: { seconds: 3 } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const short = pool.run({ path: slow, fn: 'nap', params: { seconds: 0.4 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Both workers are busy, neither quick any more: this call waits for the first to be free.
    const waiting = pool.run({ path: slow, fn: 'quick', params: { value: 'done' } });
    const waited = await waiting.then(() => Date.now() - began);
    expect(waited).toBeGreaterThanOrEqual(400);
    expect(waited).toBeLessThan(2_700); // not behind the 3 s task
    await Promise.all([long, short]);
  });
});
