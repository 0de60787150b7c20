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
});
