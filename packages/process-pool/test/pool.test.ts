import { describe, expect, it } from 'vitest';
import {
  isPoolClosedError,
  isPythonError,
  PoolClosedError,
  PythonPool,
  resolvePython,
} from '../src/index.js';
import { createPool, fixture, isAlive, tempDir, trackWorkers } from './helpers.js';

const basic = fixture('basic.py');

describe('PythonPool', () => {
  it('starts minWorkers workers and runs a function with keyword arguments', async () => {
    const pool = createPool({ minWorkers: 1 });
    const started: number[] = [];
    pool.on('workerStart', (event) => started.push(event.pid));
    await pool.start();
    expect(started).toHaveLength(1);
    expect(pool.stats().workers).toEqual({ total: 1, idle: 1, busy: 0, starting: 0 });

    const result = await pool.run<number>({ path: basic, fn: 'add', params: { a: 2, b: 3 } });
    expect(result.value).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.workerId).toBe(1);
  });

  it('calls execute by default, main when there is no execute, and async functions', async () => {
    const pool = createPool();
    expect((await pool.run({ path: basic, params: { x: 1 } })).value).toEqual({ params: { x: 1 } });
    expect((await pool.run({ path: fixture('main_only.py'), params: { x: 5 } })).value).toBe(105);
    expect((await pool.run({ path: basic, fn: 'twice', params: { x: 21 } })).value).toBe(42);
  });

  it('resolves relative paths against the working directory', async () => {
    const pool = createPool();
    const relative = basic.slice(process.cwd().length + 1);
    expect((await pool.run({ path: relative, fn: 'add', params: { a: 1, b: 1 } })).value).toBe(2);
  });

  it('runs code snippets in a fresh namespace with input bound, top-level await allowed', async () => {
    const pool = createPool();
    const sum = await pool.runCode('result = sum(input)', { input: [1, 2, 3] });
    expect(sum.value).toBe(6);
    const printed = await pool.runCode('print("hi", input["name"])\nresult = None', { input: { name: 'x' } });
    expect(printed).toMatchObject({ value: null, stdout: 'hi x\n' });
    const leaked = await pool.runCode('result = "sum" in dir() or "leak" in globals()\nleak = 1');
    const fresh = await pool.runCode('result = "leak" in globals()');
    expect(leaked.value).toBe(false);
    expect(fresh.value).toBe(false);
    const awaited = await pool.runCode('import asyncio\nawait asyncio.sleep(0)\nresult = "awaited"');
    expect(awaited.value).toBe('awaited');
    await expect(pool.runCode('def broken(:')).rejects.toMatchObject({
      code: 'EPYTHON',
      pythonType: 'SyntaxError',
    });
  });

  it('rejects bad calls with a TypeError naming the field, without touching a worker', async () => {
    const pool = createPool();
    const bad = [
      [{ path: '' }, 'path must be a non-empty string, got ""'],
      [{ path: 42 }, 'path must be a non-empty string, got 42'],
      [{ path: basic, fn: 'a-b' }, 'fn must be a Python identifier, got "a-b"'],
      [{ path: basic, params: [1] }, 'params must be a plain object, got an array'],
      [{ path: basic, timeoutMs: 0 }, 'timeoutMs must be an integer between 1 and 2147483647, got 0'],
      [null, 'request must be an object, got null'],
    ] as const;
    for (const [request, message] of bad) {
      await expect(pool.run(request as never)).rejects.toThrow(new TypeError(message));
    }
    await expect(pool.runCode(42 as never)).rejects.toThrow(new TypeError('source must be a string, got 42'));
    expect(pool.stats().spawns.started).toBe(0);
  });

  it('validates its options in the constructor', () => {
    const cases: [object, string][] = [
      [{ maxWorkers: 0 }, 'maxWorkers must be an integer >= 1, got 0'],
      [{ minWorkers: 3, maxWorkers: 2 }, 'minWorkers must be <= maxWorkers (2), got 3'],
      [{ minWorkers: -1 }, 'minWorkers must be an integer >= 0, got -1'],
      [{ taskTimeoutMs: 1.5 }, 'taskTimeoutMs must be an integer between 1 and 2147483647, got 1.5'],
      [{ maxTasksPerWorker: 0 }, 'maxTasksPerWorker must be an integer >= 1 or Infinity, got 0'],
      [{ memoryLimitMb: 8 }, 'memoryLimitMb must be an integer >= 16, got 8'],
      [{ python: '' }, 'python must be a non-empty string, got ""'],
      [{ env: { A: 1 } }, 'env.A must be a string, got 1'],
      [{ inheritEnv: 'PATH' }, 'inheritEnv must be an array of variable names, got "PATH"'],
      [{ maxMessageBytes: 10 }, 'maxMessageBytes must be an integer >= 1024, got 10'],
      [{ batch: { maxBatchSize: 0 } }, 'batch.maxBatchSize must be an integer >= 1, got 0'],
    ];
    for (const [options, message] of cases) {
      expect(() => new PythonPool(options as never)).toThrow(new TypeError(message));
    }
  });

  it('reports plain, JSON-serialisable stats', async () => {
    const pool = createPool({ maxWorkers: 2 });
    await Promise.all([1, 2, 3].map((a) => pool.run({ path: basic, fn: 'add', params: { a, b: 1 } })));
    await pool.run({ path: basic, fn: 'fail' }).catch(() => {});
    const stats = pool.stats();
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(stats).toMatchObject({ tasksRun: 4, succeeded: 3, failures: { python: 1 }, crashes: 0 });
    expect(stats.batches).toBeGreaterThanOrEqual(2);
    expect(stats.spawns.started).toBeGreaterThanOrEqual(1);
    expect(stats.spawns.meanMs).toBeGreaterThan(0);
  });

  it('preloads modules in every live worker and in workers started later', async () => {
    const dir = await tempDir();
    const log = `${dir}/imports.log`;
    const { writeFile, readFile } = await import('node:fs/promises');
    const module = `${dir}/preloaded.py`;
    await writeFile(module, `import os\nopen(${JSON.stringify(log)}, "a").write("%d\\n" % os.getpid())\n`);
    const pool = createPool({ minWorkers: 1, maxWorkers: 2 });
    const pids = trackWorkers(pool);
    await pool.start();
    await pool.preload([module]);
    const imported = async () => (await readFile(log, 'utf8')).trim().split('\n').map(Number);
    expect(await imported()).toEqual([...pids]);

    // A call made while the first worker is busy needs a second worker: it imports the module on start.
    const nap = fixture('slow.py');
    const first = pool.run({ path: nap, fn: 'nap', params: { seconds: 0.3 } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await Promise.all([first, pool.run({ path: nap, fn: 'nap', params: { seconds: 0.1 } })]);
    expect(pids.size).toBe(2);
    expect((await imported()).sort()).toEqual([...pids].sort());

    await expect(pool.preload([fixture('broken_import.py')])).rejects.toSatisfy(isPythonError);
    await expect(pool.preload([`${dir}/missing.py`])).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('closes: lets running tasks finish, then rejects new calls with PoolClosedError and leaves no process', async () => {
    const pool = createPool({ minWorkers: 2, maxWorkers: 2 });
    const pids = trackWorkers(pool);
    await pool.start();
    const alive = [...pids];
    const running = pool.run({ path: fixture('slow.py'), fn: 'nap', params: { seconds: 0.3 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exits: string[] = [];
    pool.on('workerExit', (event) => exits.push(event.reason));
    await pool.close();
    expect((await running).value).toBe(0.3);
    expect(exits).toEqual(['closed', 'closed']);
    for (const pid of alive) expect(isAlive(pid)).toBe(false);
    const late = pool.run({ path: basic, fn: 'add', params: { a: 1, b: 2 } });
    await expect(late).rejects.toBeInstanceOf(PoolClosedError);
    await expect(late).rejects.toSatisfy(isPoolClosedError);
    await expect(pool.start()).rejects.toBeInstanceOf(PoolClosedError);
    await expect(pool.preload([basic])).rejects.toBeInstanceOf(PoolClosedError);
    await pool.close(); // idempotent
  });

  it('close({ timeoutMs }) kills what does not finish in time; those tasks fail with PoolClosedError', async () => {
    const pool = createPool({ maxWorkers: 1 });
    await pool.start();
    const stuck = pool.run({ path: fixture('slow.py'), fn: 'nap', params: { seconds: 30 } });
    const queued = pool.run({ path: basic, fn: 'add', params: { a: 1, b: 2 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const began = Date.now();
    await pool.close({ timeoutMs: 100 });
    expect(Date.now() - began).toBeLessThan(5_000);
    await expect(stuck).rejects.toBeInstanceOf(PoolClosedError);
    await expect(queued).rejects.toBeInstanceOf(PoolClosedError);
    expect(pool.stats().workers.total).toBe(0);
  });

  it('an aborted call rejects with the signal reason, queued or running, and the pool goes on', async () => {
    const pool = createPool();
    const early = new AbortController();
    early.abort(new Error('gone before start'));
    await expect(pool.run({ path: basic, fn: 'pid' }, { signal: early.signal })).rejects.toThrow(
      'gone before start',
    );

    const late = new AbortController();
    const call = pool.run(
      { path: fixture('slow.py'), fn: 'nap', params: { seconds: 0.3 } },
      { signal: late.signal },
    );
    setTimeout(() => late.abort(new Error('gave up')), 50);
    await expect(call).rejects.toThrow('gave up');
    expect((await pool.run({ path: basic, fn: 'add', params: { a: 1, b: 1 } })).value).toBe(2);
  });

  it('resolvePython finds the real interpreter behind a launcher', async () => {
    const executable = await resolvePython('python3');
    expect(executable).toMatch(/python/);
    expect(await resolvePython('python3')).toBe(executable); // cached
    await expect(resolvePython('/nonexistent/python')).rejects.toMatchObject({ code: 'EWORKERSTART' });
  });
});
