import { describe, expect, it } from 'vitest';
import { isMemoryLimitError, MemoryLimitError } from '../src/index.js';
import { createPool, fixture, waitFor } from './helpers.js';

const basic = fixture('basic.py');

describe('8. memory and recycling', () => {
  it('a task allocating beyond memoryLimitMb fails with MemoryLimitError; the pool recovers', async () => {
    const pool = createPool({ memoryLimitMb: 128 });
    const exits: string[] = [];
    pool.on('workerExit', (event) => exits.push(event.reason));
    const small = await pool.run({ path: fixture('errors.py'), fn: 'allocate', params: { megabytes: 16 } });
    expect(small.value).toBe(16 * 1024 * 1024);
    const error = await pool
      .run({ path: fixture('errors.py'), fn: 'allocate', params: { megabytes: 512 } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(MemoryLimitError);
    expect(isMemoryLimitError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'EMEMORYLIMIT', memoryLimitMb: 128 });
    // The worker is replaced after its batch; the next call runs on a fresh one.
    const next = await pool.run({ path: basic, fn: 'add', params: { a: 1, b: 1 } });
    expect(next.value).toBe(2);
    expect(next.workerId).not.toBe(small.workerId);
    await waitFor(() => exits.length === 1, 5_000, 'the old worker to exit');
    expect(exits).toEqual(['recycled']);
    expect(pool.stats()).toMatchObject({ failures: { memory: 1 }, recycles: 1, crashes: 0 });
  });

  it('recycles workers after about maxTasksPerWorker tasks without failing any', async () => {
    const pool = createPool({ maxWorkers: 2, maxTasksPerWorker: 10 });
    const exits: string[] = [];
    pool.on('workerExit', (event) => exits.push(event.reason));
    const workerIds = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const result = await pool.run<number>({ path: basic, fn: 'add', params: { a: i, b: 0 } });
      expect(result.value).toBe(i);
      workerIds.add(result.workerId);
    }
    const burst = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        pool.run<number>({ path: basic, fn: 'add', params: { a: i, b: 1 } }),
      ),
    );
    expect(burst.map((r) => r.value)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // A worker serves 8 to 10 tasks (jitter), but a whole batch always finishes where it started.
    expect(workerIds.size).toBeGreaterThanOrEqual(4);
    expect(pool.stats().recycles).toBeGreaterThanOrEqual(4);
    expect(pool.stats().failures).toMatchObject({ crashed: 0, closed: 0 });
    expect(exits.every((reason) => reason === 'recycled')).toBe(true);
  });

  it('stops workers idle beyond idleTimeoutMs, down to minWorkers', async () => {
    const pool = createPool({ minWorkers: 1, maxWorkers: 2, idleTimeoutMs: 200 });
    await pool.start();
    const nap = fixture('slow.py');
    const first = pool.run({ path: nap, fn: 'nap', params: { seconds: 0.2 } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await Promise.all([first, pool.run({ path: nap, fn: 'nap', params: { seconds: 0.1 } })]);
    expect(pool.stats().workers.total).toBe(2);
    await waitFor(() => pool.stats().workers.total === 1, 5_000, 'the idle worker to be stopped');
    expect(pool.stats().evictions).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(pool.stats().workers.total).toBe(1); // minWorkers stays
  });
});
