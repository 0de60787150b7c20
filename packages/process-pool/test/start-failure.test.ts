import { mkdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  AcquireTimeoutError,
  isAcquireTimeoutError,
  isWorkerStartError,
  PythonPool,
  WorkerStartError,
} from '../src/index.js';
import { createPool, fixture, tempDir } from './helpers.js';

const basic = fixture('basic.py');

describe('6. a worker that cannot start', () => {
  it('a bad interpreter path: start() rejects with WorkerStartError, run() with AcquireTimeoutError, both in time', async () => {
    const pool = createPool({ python: '/nonexistent/python3', acquireTimeoutMs: 800 });
    let began = Date.now();
    const error = await pool.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerStartError);
    expect(isWorkerStartError(error)).toBe(true);
    expect((error as Error).message).toContain('/nonexistent/python3');
    expect((error as Error).message).toContain('ENOENT');
    expect(Date.now() - began).toBeLessThan(800);

    began = Date.now();
    const late = await pool.run({ path: basic, fn: 'pid' }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(AcquireTimeoutError);
    expect(isAcquireTimeoutError(late)).toBe(true);
    expect(late).toMatchObject({ code: 'EACQUIRETIMEOUT', timeoutMs: 800 });
    expect((late as Error).cause).toBeInstanceOf(WorkerStartError);
    expect((late as Error).message).toContain('ENOENT');
    expect(Date.now() - began).toBeGreaterThanOrEqual(790);
    expect(Date.now() - began).toBeLessThan(800 + 2_000);
    expect(pool.stats().failures.acquireTimeout).toBe(1);
  });

  it('backs off instead of spinning while workers keep failing', async () => {
    const pool = createPool({ python: '/nonexistent/python3', acquireTimeoutMs: 1_500, maxWorkers: 2 });
    await Promise.allSettled(Array.from({ length: 5 }, () => pool.run({ path: basic, fn: 'pid' })));
    // 100 ms doubling with jitter: a handful of attempts in 1.5 s, not thousands.
    const { failed } = pool.stats().spawns;
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(failed).toBeLessThan(15);
  });

  it('a worker that crashes at import: the error says why, with its stderr', async () => {
    const dir = await tempDir();
    // A broken stdlib module shadowed through PYTHONPATH: the worker dies importing it.
    await mkdir(`${dir}/json`);
    await writeFile(`${dir}/json/__init__.py`, 'raise ImportError("json is broken here")\n');
    const pool = createPool({ env: { PYTHONPATH: dir }, acquireTimeoutMs: 5_000 });
    const error = (await pool.start().catch((e: unknown) => e)) as WorkerStartError;
    expect(error).toBeInstanceOf(WorkerStartError);
    expect(error.message).toContain('exited with code 1');
    expect(error.stderrTail).toContain('json is broken here');
    expect(pool.stats().spawns.failed).toBe(1);
    expect(pool.stats().workers.total).toBe(0);
  });

  it('a worker that never answers: start() gives up after acquireTimeoutMs', async () => {
    const dir = await tempDir();
    // Python runs site customisation before the worker: make it hang there.
    await writeFile(`${dir}/sitecustomize.py`, 'import time\ntime.sleep(60)\n');
    const pool = createPool({ env: { PYTHONPATH: dir }, acquireTimeoutMs: 600 });
    const began = Date.now();
    const error = (await pool.start().catch((e: unknown) => e)) as WorkerStartError;
    expect(error).toBeInstanceOf(WorkerStartError);
    expect(error.message).toContain('did not answer within 600 ms');
    expect(Date.now() - began).toBeLessThan(600 + 3_000);
  });

  it('a pool closed while its workers fail to start settles everything at once', async () => {
    const pool = new PythonPool({ python: '/nonexistent/python3', acquireTimeoutMs: 30_000 });
    const call = pool.run({ path: basic, fn: 'pid' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const began = Date.now();
    await pool.close({ timeoutMs: 0 });
    await expect(call).rejects.toMatchObject({ code: 'EPOOLCLOSED' });
    expect(Date.now() - began).toBeLessThan(2_000);
  });
});
