import { getEventListeners } from 'node:events';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FrameworkClosedError,
  isFrameworkClosedError,
  isInputValidationError,
  isInvalidSkillError,
  isPythonError,
  isQueueFullError,
  isSkillNotFoundError,
  isTaskTimeoutError,
  MCPCodeExecutionFramework,
  type MCPCodeExecutionFrameworkOptions,
} from '../src/index.js';
import {
  copyOfExamples,
  EXAMPLE_SKILLS,
  failure,
  framework,
  POOL,
  scratchDir,
  writeFiles,
} from './helpers.js';

describe('options', () => {
  it("accepts the seed's options object verbatim", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const fw = new MCPCodeExecutionFramework({
      skillsDir: EXAMPLE_SKILLS,
      cacheSkills: true,
      cacheMaxSize: 50,
      cacheTTL: 3_600_000,
      maxConcurrentSkills: 3,
      enablePreloading: true,
      preloadList: ['frequently-used-skill'],
      enablePrefetching: true,
      enableCircuitBreaker: true,
      circuitBreakerThreshold: 5,
      circuitBreakerTimeout: 60_000,
      pool: POOL,
    });
    try {
      await fw.start();
      const r = await fw.execute('heavy-task-skill', { n: 1 });
      expect(r).toMatchObject({ skill: 'heavy-task-skill', value: { n: 1 }, attempts: 1, cached: false });
      expect(fw.stats().executor.maxConcurrent).toBe(3);
      // The seed's placeholder skill does not exist: a warning, not a failed start.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.some((w) => w.includes('"frequently-used-skill" was not preloaded'))).toBe(true);
    } finally {
      process.off('warning', onWarning);
      await fw.close();
    }
  });

  it('preloads: the listed skills are loaded and imported in the workers before the first call', async () => {
    const dir = scratchDir();
    const marker = join(dir.path, 'imported');
    writeFiles(dir.path, {
      'skills/warm/SKILL.md': '---\nname: warm\ndescription: Records its import.\n---\n',
      'skills/warm/index.py': `open(${JSON.stringify(marker)}, "a").write("imported\\n")\n\ndef execute():\n    return 1\n`,
    });
    const fw = new MCPCodeExecutionFramework({
      skillsDir: join(dir.path, 'skills'),
      enablePreloading: true,
      preloadList: ['warm'],
      pool: { minWorkers: 2, maxWorkers: 2 },
    });
    try {
      await fw.start();
      expect(fw.stats().cache).toMatchObject({ size: 1, loads: 1 });
      // Imported once per worker, before any call.
      expect(readFileSync(marker, 'utf8')).toBe('imported\nimported\n');
      await expect(fw.execute('warm')).resolves.toMatchObject({ value: 1 });
    } finally {
      await fw.close();
      dir.remove();
    }
  });

  it.each([
    [{ cacheTtl: 1 }, 'Unknown option "cacheTtl"; did you mean "cacheTTL"?'],
    [{ maxConcurrency: 2 }, 'Unknown option "maxConcurrency"; did you mean "maxConcurrentSkills"?'],
    [
      { enableCircuitBreakers: true },
      'Unknown option "enableCircuitBreakers"; did you mean "enableCircuitBreaker"?',
    ],
    [{ retry: { attempts: 3 } }, 'Unknown option "retry.attempts"; did you mean "retry.maxAttempts"?'],
    [{ cacheMaxSize: 0 }, 'cacheMaxSize must be an integer >= 1, got 0'],
    [{ maxConcurrentSkills: 1.5 }, 'maxConcurrentSkills must be an integer >= 1, got 1.5'],
    [{ circuitBreakerThreshold: '5' }, 'circuitBreakerThreshold must be an integer >= 1, got "5"'],
    [{ cacheSkills: 'yes' }, 'cacheSkills must be a boolean, got "yes"'],
    [{ preloadList: ['hello', '../etc'] }, 'preloadList[1] must be a skill name matching'],
    [{ preloadList: 'hello' }, 'preloadList must be an array of skill names, got "hello"'],
    [{ skillsDir: '' }, 'skillsDir must be a non-empty path, got ""'],
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts must be an integer >= 1, got 0'],
    [{ pool: { maxWorkers: 0 } }, 'maxWorkers'],
  ])('refuses %j with a TypeError', (options, message) => {
    expect(() => new MCPCodeExecutionFramework(options as MCPCodeExecutionFrameworkOptions)).toThrow(
      TypeError,
    );
    expect(() => new MCPCodeExecutionFramework(options as MCPCodeExecutionFrameworkOptions)).toThrow(message);
  });

  it('fails start() for a skillsDir that does not exist, and stays closed', async () => {
    const fw = framework({ skillsDir: join(EXAMPLE_SKILLS, 'no-such-dir') });
    await expect(fw.start()).rejects.toThrow('skillsDir must be an existing folder');
    const error = await failure(fw.execute('hello'));
    expect(isFrameworkClosedError(error)).toBe(true);
    expect((error as Error).message).toBe('The framework failed to start and is closed');
    await fw.close();
    expect(fw.stats().pool.workers.total).toBe(0);
  });
});

describe('calls', () => {
  const fw = framework({ maxConcurrentSkills: 4 });
  beforeAll(() => fw.start());
  afterAll(() => fw.close());

  it('runs a skill and returns the documented result', async () => {
    const r = await fw.execute('hello', { name: 'Ada' });
    expect(r).toEqual({
      skill: 'hello',
      value: { greeting: 'Hello, Ada!' },
      stdout: '',
      stderr: '',
      durationMs: expect.any(Number),
      attempts: 1,
      cached: false,
      workerId: expect.any(Number),
    });
    expect(r.durationMs).toBeGreaterThan(0);
    expect((await fw.execute('hello')).value).toEqual({ greeting: 'Hello, world!' });
  });

  it('calls main() when there is no execute(), and captures stdout and stderr', async () => {
    const r = await fw.execute('printer', { lines: 21, text: 'row' });
    expect(r.value).toEqual({ printed: 21 });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(21);
    expect(r.stdout).toContain('row 20');
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'row 0 to stderr',
      'row 10 to stderr',
      'row 20 to stderr',
    ]);
  });

  it('runs async def skills, whose awaits overlap', async () => {
    const urls = ['a', 'b', 'c', 'd', 'e'];
    const r = await fw.execute<{ pages: unknown[]; elapsed_ms: number }>('async-fetch-like', {
      urls,
      delay_ms: 200,
    });
    expect(r.value.pages).toHaveLength(5);
    // One after the other they would take 1,000 ms.
    expect(r.value.elapsed_ms).toBeLessThan(900);
  });

  it('runs ad-hoc code with executeCode', async () => {
    const r = await fw.executeCode('import math\nprint("hi")\nresult = math.fsum(input)', {
      input: [0.1, 0.2, 0.3],
    });
    expect(r).toMatchObject({ value: 0.6, stdout: 'hi\n', attempts: 1 });
    const error = await failure(fw.executeCode('raise ValueError("nope")'));
    expect(isPythonError(error)).toBe(true);
    await expect(fw.executeCode('   ')).rejects.toThrow(TypeError);
    expect(fw.stats().code).toMatchObject({ calls: 2, succeeded: 1, failed: 1 });
  });

  it('reports an unknown skill with close matches, before any worker is used', async () => {
    const before = fw.stats().pool.tasksRun;
    const error = await failure(fw.execute('helo'));
    expect(isSkillNotFoundError(error)).toBe(true);
    expect((error as Error).message).toBe('Skill "helo" was not found; did you mean "hello"?');
    expect(fw.stats().pool.tasksRun).toBe(before);
  });

  it.each(['../hello', '/etc/passwd', 'hello/../../x', 'HELLO', ''])(
    'refuses the name %j with InvalidSkillError before any worker is used',
    async (name) => {
      const before = fw.stats().pool.tasksRun;
      const error = await failure(fw.execute(name));
      expect(isInvalidSkillError(error)).toBe(true);
      expect(fw.stats().pool.tasksRun).toBe(before);
    },
  );

  it('names the file and the field of a malformed manifest', async () => {
    const error = await failure(fw.execute('bad-manifest'));
    expect(isInvalidSkillError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Invalid skill "bad-manifest" (bad-manifest/SKILL.md, field "timeout"): ' +
        'must be an integer number of milliseconds >= 1, got "soon"',
    );
  });

  it('checks input against the schema and never sends bad input to Python', async () => {
    const before = fw.stats().pool.tasksRun;
    const error = await failure(fw.execute('heavy-task-skill', { n: 'ten' }));
    expect(isInputValidationError(error)).toBe(true);
    expect(error).toMatchObject({ skill: 'heavy-task-skill', path: '/n' });
    expect((error as Error).message).toBe(
      'Invalid input for skill "heavy-task-skill": input/n must be integer',
    );
    expect(fw.stats().pool.tasksRun).toBe(before);
  });

  it("passes a skill's own exception through as PythonError", async () => {
    const error = await failure(fw.execute('flaky', { fail: true, message: 'on purpose' }));
    expect(isPythonError(error)).toBe(true);
    expect(error).toMatchObject({ pythonType: 'RuntimeError', pythonMessage: 'on purpose' });
    expect((error as { traceback: string }).traceback).toContain('raise RuntimeError(message)');
    expect((error as Error).message).toContain('on purpose');
  });

  it('enforces timeouts (per call here) with TaskTimeoutError, and does not retry them', async () => {
    const before = fw.stats().skills.slow?.retries ?? 0;
    const error = await failure(fw.execute('slow', { ms: 5_000 }, { timeoutMs: 200 }));
    expect(isTaskTimeoutError(error)).toBe(true);
    expect(fw.stats().skills.slow?.retries ?? 0).toBe(before);
  });

  it('rejects with signal.reason, queued or running', async () => {
    const reason = new Error('caller gave up');
    await expect(fw.execute('hello', {}, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    const running = fw.execute('slow', { ms: 2_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();
    await expect(running).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(fw.stats().skills.slow).toMatchObject({ cancelled: 1, failed: 1 });
  });

  it('lets many calls share one signal: one listener on it, no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const { signal } = controller;
      const done = await Promise.all(
        Array.from({ length: 100 }, (_, i) => fw.execute('hello', { name: `n${i}` }, { signal })),
      );
      expect(done.map((r) => r.value)).toEqual(done.map((_, i) => ({ greeting: `Hello, n${i}!` })));
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
      // An abort while they run rejects every one of them with its reason.
      const running = Array.from({ length: 30 }, () => fw.execute('slow', { ms: 500 }, { signal }));
      expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(3); // one per layer at most
      const reason = new Error('caller gave up');
      controller.abort(reason);
      for (const call of running) await expect(call).rejects.toBe(reason);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('refuses bad call options with a TypeError', async () => {
    await expect(fw.execute('hello', {}, { timeoutMs: 0 })).rejects.toThrow('timeoutMs must be an integer');
    await expect(fw.execute('hello', {}, { priority: Number.NaN })).rejects.toThrow(
      'priority must be a finite number',
    );
  });

  it('describes skills', async () => {
    const skills = await fw.listSkills();
    expect(skills.map((s) => s.name)).toEqual([
      'async-fetch-like',
      'flaky',
      'heavy-task-skill',
      'hello',
      'printer',
      'pure-sum',
      'slow',
    ]);
    const hello = await fw.getSkill('hello');
    expect(hello).toMatchObject({ name: 'hello', function: 'execute', input: { type: 'object' } });
    expect(hello.entry).toMatch(/hello[/\\]index\.py$/);
    await expect(fw.getSkill('nope')).rejects.toThrow('Skill "nope" was not found');
  });

  it('keeps plain, JSON-serialisable stats', async () => {
    await fw.execute('hello');
    const stats = fw.stats();
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(stats.state).toBe('started');
    expect(stats.breakers.hello).toBe('CLOSED');
    // The pre-aborted call above never reached a worker: it is in `calls` only.
    expect(stats.skills.hello).toMatchObject({ failed: 0, rejected: 0, cancelled: 0 });
    expect(stats.skills.hello?.succeeded).toBeGreaterThanOrEqual(3);
    expect(stats.skills.hello?.latencyMs).toMatchObject({ p50: expect.any(Number), p99: expect.any(Number) });
    expect(stats.executor).toMatchObject({ running: 0, queued: 0, maxConcurrent: 4, maxQueue: 10_000 });
    expect(stats.cache).toMatchObject({ maxSize: 50 });
  });
});

describe('queueing', () => {
  it('orders waiting calls by priority and refuses more than maxQueue', async () => {
    // A long check interval: a change check due between the calls below would delay one of them.
    const fw = framework({ maxConcurrentSkills: 1, maxQueue: 2, skillCheckInterval: 60_000 });
    try {
      await fw.start();
      // Both skills loaded: a call that first reads its skill from disk would queue late.
      await Promise.all([fw.execute('hello'), fw.execute('slow', { ms: 0 })]);
      const order: string[] = [];
      const track = (label: string, p: Promise<unknown>) => p.then(() => order.push(label));
      const blocker = track('blocker', fw.execute('slow', { ms: 200 }));
      const low = track('low', fw.execute('hello', { name: 'low' }, { priority: -1 }));
      const high = track('high', fw.execute('hello', { name: 'high' }, { priority: 5 }));
      const refused = await failure(fw.execute('hello'));
      expect(isQueueFullError(refused)).toBe(true);
      expect((refused as Error).message).toBe('The queue is full: 2 calls are already waiting');
      await Promise.all([blocker, low, high]);
      expect(order).toEqual(['blocker', 'high', 'low']);
    } finally {
      await fw.close();
    }
  });
});

describe('symlinks', () => {
  it('refuses a skill whose folder or entry is a symlink leading outside skillsDir, before any worker is used', async () => {
    const skills = copyOfExamples();
    const outside = scratchDir();
    writeFiles(outside.path, {
      'evil/SKILL.md': '---\nname: evil\ndescription: outside\n---\n',
      'evil/index.py': 'def execute():\n    return "escaped"\n',
    });
    symlinkSync(join(outside.path, 'evil'), join(skills.path, 'evil'));
    rmSync(join(skills.path, 'hello', 'index.py'));
    symlinkSync(join(outside.path, 'evil', 'index.py'), join(skills.path, 'hello', 'index.py'));
    const fw = new MCPCodeExecutionFramework({ skillsDir: skills.path, pool: POOL });
    try {
      for (const name of ['evil', 'hello']) {
        const error = await failure(fw.execute(name));
        expect(isInvalidSkillError(error)).toBe(true);
        expect((error as Error).message).toContain('outside skillsDir');
      }
      await expect(fw.execute('slow', { ms: 1 })).resolves.toMatchObject({ value: { slept_ms: 1 } });
    } finally {
      await fw.close();
      skills.remove();
      outside.remove();
    }
  });
});

describe('changed skills', () => {
  it('reloads a skill whose file changed, within skillCheckInterval', async () => {
    const skills = copyOfExamples();
    const fw = new MCPCodeExecutionFramework({ skillsDir: skills.path, skillCheckInterval: 50, pool: POOL });
    try {
      expect((await fw.execute('hello', { name: 'A' })).value).toEqual({ greeting: 'Hello, A!' });
      const loaded: string[] = [];
      fw.on('skillLoaded', ({ skill }) => loaded.push(skill.name));
      writeFileSync(
        join(skills.path, 'hello', 'index.py'),
        'def execute(name="x"):\n    return {"bye": name}\n',
      );
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await fw.execute('hello', { name: 'A' })).value).toEqual({ bye: 'A' });
      expect(loaded).toEqual(['hello']);
    } finally {
      await fw.close();
      skills.remove();
    }
  });

  it('works with cacheSkills: false', async () => {
    const fw = framework({ cacheSkills: false });
    try {
      expect((await fw.execute('hello')).value).toEqual({ greeting: 'Hello, world!' });
      expect(fw.stats().cache).toBeNull();
    } finally {
      await fw.close();
    }
  });
});

describe('skills without workers', () => {
  it('lists and describes skills without starting a Python process', async () => {
    const fw = framework();
    try {
      expect((await fw.listSkills()).length).toBe(7);
      expect((await fw.getSkill('pure-sum')).cacheable).toBe(true);
      const reason = new Error('no longer needed');
      await expect(fw.getSkill('hello', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      await expect(fw.listSkills({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(fw.stats()).toMatchObject({ state: 'idle', pool: { workers: { total: 0 } } });
    } finally {
      await fw.close();
    }
  });
});

describe('after close', () => {
  it('rejects calls with FrameworkClosedError and refuses submit', async () => {
    const fw = framework();
    await fw.execute('hello');
    await fw.close();
    await fw.close();
    await expect(fw.execute('hello')).rejects.toBeInstanceOf(FrameworkClosedError);
    await expect(fw.executeCode('result = 1')).rejects.toBeInstanceOf(FrameworkClosedError);
    expect(() => fw.submit('hello')).toThrow(FrameworkClosedError);
    await expect(fw.start()).rejects.toBeInstanceOf(FrameworkClosedError);
    expect(fw.stats()).toMatchObject({ state: 'closed', pool: { workers: { total: 0 } } });
  });
});
