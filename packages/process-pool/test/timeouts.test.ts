import { describe, expect, it } from 'vitest';
import { isTaskTimeoutError, TaskTimeoutError } from '../src/index.js';
import { createPool, fixture } from './helpers.js';

const slow = fixture('slow.py');

async function timed<T>(promise: Promise<T>): Promise<{ error: unknown; ms: number }> {
  const began = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - began };
}

describe('4. timeouts', () => {
  it('interrupts while True: pass and time.sleep inside the task; the worker lives on', async () => {
    const pool = createPool({ killGraceMs: 5_000 });
    const pid = (await pool.run<number>({ path: fixture('basic.py'), fn: 'pid' })).value;
    for (const fn of ['spin', 'nap', 'anap']) {
      const { error, ms } = await timed(pool.run({ path: slow, fn, timeoutMs: 200 }));
      expect(error).toBeInstanceOf(TaskTimeoutError);
      expect(error).toMatchObject({ code: 'ETASKTIMEOUT', timeoutMs: 200, killed: false });
      // Where it was interrupted (inside asyncio's loop for a coroutine).
      expect((error as TaskTimeoutError).traceback).toContain(fn === 'anap' ? 'asyncio' : 'slow.py');
      expect(ms).toBeGreaterThanOrEqual(190);
      expect(ms).toBeLessThan(200 + 5_000);
      // The same worker answers the next call.
      expect((await pool.run<number>({ path: fixture('basic.py'), fn: 'pid' })).value).toBe(pid);
    }
    expect((await pool.run({ path: slow, fn: 'anap', params: { seconds: 0.01 } })).value).toBe(0.01);
    expect(pool.stats()).toMatchObject({ failures: { timeout: 3 }, timeoutKills: 0, crashes: 0 });
  });

  it('kills a worker whose task cannot be interrupted, after timeout + killGraceMs', async () => {
    const pool = createPool({ killGraceMs: 300 });
    const exits: string[] = [];
    pool.on('workerExit', (event) => exits.push(event.reason));
    const pid = (await pool.run<number>({ path: fixture('basic.py'), fn: 'pid' })).value;
    for (const fn of ['stubborn', 'swallow']) {
      const { error, ms } = await timed(pool.run({ path: slow, fn, timeoutMs: 200 }));
      expect(isTaskTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ timeoutMs: 200, killed: true });
      expect(ms).toBeGreaterThanOrEqual(490);
      expect(ms).toBeLessThan(200 + 300 + 5_000);
    }
    expect(exits).toEqual(['timeout', 'timeout']);
    const next = await pool.run<number>({ path: fixture('basic.py'), fn: 'pid' });
    expect(next.value).not.toBe(pid);
    expect(pool.stats()).toMatchObject({ timeoutKills: 2, failures: { timeout: 2 } });
  });

  it('a timeout fails only its own task in a batch', async () => {
    const pool = createPool();
    await pool.run({ path: slow, fn: 'quick' });
    const outcomes = await Promise.allSettled([
      pool.run({ path: slow, fn: 'quick', params: { value: 1 } }),
      pool.run({ path: slow, fn: 'spin', timeoutMs: 150 }),
      pool.run({ path: slow, fn: 'quick', params: { value: 3 } }),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { value: 1 } });
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(TaskTimeoutError);
    expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { value: 3 } });
  });

  it('applies taskTimeoutMs by default', async () => {
    const pool = createPool({ taskTimeoutMs: 150 });
    await expect(pool.run({ path: slow, fn: 'nap' })).rejects.toMatchObject({
      timeoutMs: 150,
      killed: false,
    });
    await expect(pool.runCode('while True: pass')).rejects.toBeInstanceOf(TaskTimeoutError);
    await expect(pool.runCode('import time\ntime.sleep(5)', { timeoutMs: 100 })).rejects.toMatchObject({
      timeoutMs: 100,
    });
  });
});
