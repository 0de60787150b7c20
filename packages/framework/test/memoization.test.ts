import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCircuitOpenError, isPythonError, MCPCodeExecutionFramework } from '../src/index.js';
import { copyOfExamples, failure, framework, scratchDir, skillMd, writeFiles } from './helpers.js';

/** A cacheable skill that appends a line to `log` each time it really runs. */
function countingSkill(root: string, name: string, log: string, body: string): void {
  writeFiles(root, {
    [`${name}/SKILL.md`]: skillMd(`name: ${name}\ndescription: Counts its runs.\ncacheable: true`),
    [`${name}/index.py`]: `import time\n\ndef execute(**params):\n    open(${JSON.stringify(log)}, "a").write("ran\\n")\n${body}`,
  });
}

function runs(log: string): number {
  try {
    return readFileSync(log, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}

describe('result memoization', () => {
  const fw = framework();
  beforeAll(() => fw.start());
  afterAll(() => fw.close());

  it('answers a repeated call of a cacheable skill from the cache, skipping the queue and the pool', async () => {
    const first = await fw.execute('pure-sum', { numbers: [1, 2, 3] });
    expect(first).toMatchObject({ value: { sum: 6, count: 3 }, cached: false, attempts: 1 });
    expect(first.workerId).toBeGreaterThan(0);
    const before = fw.stats();

    const hit = await fw.execute('pure-sum', { numbers: [1, 2, 3] });
    expect(hit).toEqual({
      skill: 'pure-sum',
      value: { sum: 6, count: 3 },
      stdout: '',
      stderr: '',
      durationMs: 0,
      attempts: 0,
      cached: true,
      workerId: -1,
    });
    const after = fw.stats();
    expect(after.pool.tasksRun).toBe(before.pool.tasksRun);
    expect(after.executor.completed).toBe(before.executor.completed);
    expect(after.results).toMatchObject({ hits: 1, loads: 1, size: 1 });
    expect(after.skills['pure-sum']).toMatchObject({ calls: 2, succeeded: 2, memoized: 1 });
    expect(after.skills['pure-sum']?.latencyMs?.samples).toBe(1);

    // The stored copy is frozen and shared; the caller whose call ran keeps a mutable value.
    expect(Object.isFrozen(hit.value)).toBe(true);
    expect(Object.isFrozen(first.value)).toBe(false);
    await expect(fw.execute('pure-sum', { numbers: [1, 2, 3] })).resolves.toBe(hit);

    // Another input is another key.
    await expect(fw.execute('pure-sum', { numbers: [1, 2] })).resolves.toMatchObject({ cached: false });
  });

  it('never memoizes a skill that is not cacheable', async () => {
    const a = await fw.execute('hello', { name: 'Ada' });
    const b = await fw.execute('hello', { name: 'Ada' });
    expect([a.cached, b.cached]).toEqual([false, false]);
    expect(b.workerId).toBeGreaterThan(0);
    expect(fw.stats().skills.hello?.memoized).toBe(0);
  });
});

describe('result memoization, edge cases', () => {
  it('never serves a result of a changed skill (new content hash)', async () => {
    const skills = copyOfExamples();
    const fw = framework({ skillsDir: skills.path, skillCheckInterval: 0 });
    try {
      await expect(fw.execute('pure-sum', { numbers: [2, 3] })).resolves.toMatchObject({
        value: { sum: 5 },
        cached: false,
      });
      await expect(fw.execute('pure-sum', { numbers: [2, 3] })).resolves.toMatchObject({ cached: true });
      writeFileSync(
        join(skills.path, 'pure-sum/index.py'),
        'def execute(numbers):\n    return {"sum": sum(numbers) * 10, "count": len(numbers)}\n',
      );
      await expect(fw.execute('pure-sum', { numbers: [2, 3] })).resolves.toMatchObject({
        value: { sum: 50 },
        cached: false,
      });
      await expect(fw.execute('pure-sum', { numbers: [2, 3] })).resolves.toMatchObject({
        value: { sum: 50 },
        cached: true,
      });
    } finally {
      await fw.close();
      skills.remove();
    }
  });

  it('stores no failure, shares one run among identical concurrent calls, and runs unkeyable input uncached', async () => {
    const dir = scratchDir();
    const log = join(dir.path, 'runs');
    const marker = join(dir.path, 'failed-once');
    countingSkill(
      dir.path,
      'fails-once',
      log,
      `    import os\n    if not os.path.exists(${JSON.stringify(marker)}):\n        open(${JSON.stringify(marker)}, "w").close()\n        raise ValueError("first run fails")\n    return params\n`,
    );
    countingSkill(
      dir.path,
      'sleepy',
      join(dir.path, 'sleepy-runs'),
      '    time.sleep(0.2)\n    return params\n',
    );
    const fw = framework({ skillsDir: dir.path });
    try {
      expect(isPythonError(await failure(fw.execute('fails-once', { a: 1 })))).toBe(true);
      await expect(fw.execute('fails-once', { a: 1 })).resolves.toMatchObject({
        cached: false,
        value: { a: 1 },
      });
      await expect(fw.execute('fails-once', { a: 1 })).resolves.toMatchObject({
        cached: true,
        value: { a: 1 },
      });
      expect(runs(log)).toBe(2);

      const sleepyLog = join(dir.path, 'sleepy-runs');
      const results = await Promise.all(Array.from({ length: 5 }, () => fw.execute('sleepy', { b: [1, 2] })));
      expect(runs(sleepyLog)).toBe(1);
      expect(results.filter((r) => !r.cached)).toHaveLength(1);
      expect(results.every((r) => (r.value as { b: number[] }).b[1] === 2)).toBe(true);
      expect(fw.stats().skills.sleepy).toMatchObject({ calls: 5, succeeded: 5, memoized: 4 });

      // stableKey refuses `undefined`: such a call simply runs, every time.
      const unkeyable = { c: 1, d: undefined };
      await expect(fw.execute('sleepy', unkeyable)).resolves.toMatchObject({ cached: false });
      await expect(fw.execute('sleepy', unkeyable)).resolves.toMatchObject({ cached: false });
      expect(runs(sleepyLog)).toBe(3);
    } finally {
      await fw.close();
      dir.remove();
    }
  });

  it('serves a memoized result while the circuit is open, and refuses what is not stored', async () => {
    const dir = scratchDir();
    countingSkill(
      dir.path,
      'maybe-fails',
      join(dir.path, 'runs'),
      '    if params.get("fail"):\n        raise RuntimeError("asked to fail")\n    return params\n',
    );
    const fw = framework({ skillsDir: dir.path, circuitBreakerThreshold: 1 });
    try {
      await fw.execute('maybe-fails', { x: 1 });
      expect(isPythonError(await failure(fw.execute('maybe-fails', { fail: true })))).toBe(true);
      expect(fw.stats().breakers['maybe-fails']).toBe('OPEN');
      await expect(fw.execute('maybe-fails', { x: 1 })).resolves.toMatchObject({ cached: true });
      expect(isCircuitOpenError(await failure(fw.execute('maybe-fails', { x: 2 })))).toBe(true);
    } finally {
      await fw.close();
      dir.remove();
    }
  });

  it('rejects an aborted caller even on a hit', async () => {
    const fw = framework();
    try {
      await fw.execute('pure-sum', { numbers: [4] });
      const reason = new Error('caller gave up');
      const error = await failure(
        fw.execute('pure-sum', { numbers: [4] }, { signal: AbortSignal.abort(reason) }),
      );
      expect(error).toBe(reason);
    } finally {
      await fw.close();
    }
  });

  it('is off with resultCacheMaxSize: 0', async () => {
    const fw = framework({ resultCacheMaxSize: 0 });
    try {
      await fw.execute('pure-sum', { numbers: [1] });
      await expect(fw.execute('pure-sum', { numbers: [1] })).resolves.toMatchObject({ cached: false });
      expect(fw.stats().results).toBeNull();
    } finally {
      await fw.close();
    }
  });

  it.each([
    [{ resultCacheMaxSize: -1 }, 'resultCacheMaxSize must be an integer between 0 and 4294967295, got -1'],
    [{ resultCacheTTL: 1.5 }, 'resultCacheTTL must be an integer >= 0, got 1.5'],
  ])('refuses %j with a TypeError', (options, message) => {
    expect(() => new MCPCodeExecutionFramework(options)).toThrow(new TypeError(message));
  });
});
