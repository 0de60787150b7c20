import { describe, expect, it } from 'vitest';
import { createPool, fixture } from './helpers.js';

describe('12. many concurrent tasks', () => {
  it('10,000 concurrent tasks across workers complete with correct results, in order of ids', async () => {
    const pool = createPool({ minWorkers: 2, maxWorkers: 2 });
    await pool.start();
    const count = 10_000;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        pool.run<number>({ path: fixture('data.py'), fn: 'echo', params: { value: i } }),
      ),
    );
    expect(results.map((r) => r.value)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(new Set(results.map((r) => r.workerId))).toEqual(new Set([1, 2]));
    const stats = pool.stats();
    expect(stats).toMatchObject({ succeeded: count, tasksRun: count, queued: 0, crashes: 0 });
    expect(stats.meanBatchSize).toBeGreaterThan(50);
  });

  it('sustained mixed load beyond capacity: every call completes, none starves waiting for a worker', async () => {
    const pool = createPool({ minWorkers: 2, maxWorkers: 2, acquireTimeoutMs: 1_000 });
    await pool.start();
    const slow = fixture('slow.py');
    const until = Date.now() + 2_000;
    let completed = 0;
    const lane = async (lane: number): Promise<void> => {
      for (let i = 0; Date.now() < until; i++) {
        const quick = (lane + i) % 3 !== 0;
        const result = await pool.run({
          path: slow,
          fn: quick ? 'quick' : 'nap',
          params: quick ? { value: i } : { seconds: 0.03 },
        });
        expect(result.value).toBe(quick ? i : 0.03);
        completed++;
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, lane) => lane).map(lane));
    expect(completed).toBeGreaterThan(100);
    expect(pool.stats().failures).toMatchObject({ acquireTimeout: 0, crashed: 0 });
  });
});
