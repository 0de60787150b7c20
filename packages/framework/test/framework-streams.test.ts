import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isPythonError,
  isTaskNotFoundError,
  MCPCodeExecutionFramework,
  type SkillTask,
  type TaskInfo,
} from '../src/index.js';
import { EXAMPLE_SKILLS } from './helpers.js';

describe('streams, parallel batches and background tasks', () => {
  const fw = new MCPCodeExecutionFramework({
    skillsDir: EXAMPLE_SKILLS,
    maxConcurrentSkills: 4,
    taskHistorySize: 50,
    // Skills stay checked for the whole file: a due change check would make a task wait a tick.
    skillCheckInterval: 60_000,
    pool: { minWorkers: 2, maxWorkers: 2 },
  });
  beforeAll(() => fw.start());
  afterAll(() => fw.close());

  it('streams results in input order when ordered', async () => {
    const tasks = Array.from({ length: 50 }, (_, i) => ({ skill: 'hello', input: { name: `n${i}` } }));
    const names: string[] = [];
    for await (const outcome of fw.executeStream(tasks, { ordered: true, concurrency: 8 })) {
      expect(outcome.status).toBe('fulfilled');
      if (outcome.status === 'fulfilled') names.push((outcome.value.value as { greeting: string }).greeting);
    }
    expect(names).toEqual(tasks.map((t) => `Hello, ${t.input.name}!`));
  });

  it('applies backpressure: a slow consumer keeps at most `concurrency` tasks ahead', async () => {
    let pulled = 0;
    let consumed = 0;
    let maxAhead = 0;
    async function* source(): AsyncGenerator<SkillTask> {
      for (let i = 0; i < 40; i++) {
        pulled++;
        yield { skill: 'hello', input: { name: `n${i}` } };
      }
    }
    for await (const outcome of fw.executeStream(source(), { concurrency: 3 })) {
      expect(outcome.status).toBe('fulfilled');
      consumed++;
      maxAhead = Math.max(maxAhead, pulled - consumed);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(consumed).toBe(40);
    expect(maxAhead).toBeLessThanOrEqual(3);
  });

  it('stops at once when the loop is left early, and stops pulling', async () => {
    let pulled = 0;
    function* source(): Generator<SkillTask> {
      yield { skill: 'hello' };
      for (;;) {
        pulled++;
        yield { skill: 'slow', input: { ms: 3_000 } };
      }
    }
    const started = performance.now();
    for await (const outcome of fw.executeStream(source(), { concurrency: 3 })) {
      expect(outcome.index).toBe(0);
      break;
    }
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(pulled).toBe(2);
    expect(fw.stats().executor).toMatchObject({ running: 0, queued: 0 });
  });

  it('executeParallel keeps input order and isolates failures', async () => {
    const outcomes = await fw.executeParallel([
      { skill: 'slow', input: { ms: 50 } },
      { skill: 'flaky', input: { fail: true } },
      { skill: 'hello', input: { name: 'x' } },
      null as unknown as SkillTask,
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(outcomes[1]?.status === 'rejected' && isPythonError(outcomes[1].reason)).toBe(true);
    expect(outcomes[3]?.status === 'rejected' && outcomes[3].reason).toBeInstanceOf(TypeError);
  });

  it('runs background tasks with a status shape, events, waitFor and getTask', async () => {
    const events: string[] = [];
    const onStarted = ({ id }: { id: string }) => events.push(`started ${id}`);
    const onCompleted = ({ id }: { id: string }) => events.push(`completed ${id}`);
    const onError = ({ id, error }: { id: string; error: unknown }) =>
      events.push(`error ${id} ${isPythonError(error) ? 'PythonError' : String(error)}`);
    fw.on('taskStarted', onStarted).on('taskCompleted', onCompleted).on('taskError', onError);
    try {
      const ids = Array.from({ length: 6 }, () => fw.submit('slow', { ms: 150 }));
      const failing = fw.submit('flaky', { fail: true });
      const status = fw.getTaskStatus();
      expect(status.maxConcurrent).toBe(4);
      expect(status.running).toHaveLength(4);
      expect(status.queued).toHaveLength(3);
      expect([...status.running, ...status.queued].sort()).toEqual([...ids, failing].sort());
      expect(fw.getTask(ids[0]!)).toMatchObject({ id: ids[0], skill: 'slow', state: 'running' });
      expect(fw.getTask(failing)).toMatchObject({ state: 'queued' });

      await expect(fw.waitFor(ids[5]!)).resolves.toMatchObject({ skill: 'slow', value: { slept_ms: 150 } });
      await Promise.all(ids.map((id) => fw.waitFor(id)));
      await expect(fw.waitFor(failing)).rejects.toThrow(/RuntimeError|flaky failed on purpose/);
      const done = fw.getTask(ids[0]!) as TaskInfo;
      expect(done).toMatchObject({ state: 'completed', result: { value: { slept_ms: 150 } } });
      expect(JSON.parse(JSON.stringify(done))).toMatchObject({ id: ids[0], state: 'completed' });
      expect(fw.getTask(failing)).toMatchObject({ state: 'failed', error: { name: 'PythonError' } });
      expect(fw.getTaskStatus()).toEqual({ running: [], queued: [], maxConcurrent: 4 });
      expect(events.filter((e) => e.startsWith('started'))).toHaveLength(7);
      expect(events.filter((e) => e.startsWith('completed'))).toHaveLength(6);
      expect(events).toContain(`error ${failing} PythonError`);

      expect(fw.getTask('nope')).toBeUndefined();
      expect(isTaskNotFoundError(await fw.waitFor('nope').catch((e: unknown) => e))).toBe(true);
    } finally {
      fw.off('taskStarted', onStarted).off('taskCompleted', onCompleted).off('taskError', onError);
    }
  });

  it('refuses bad arguments with a TypeError where the caller awaits or iterates', async () => {
    await expect(fw.executeParallel('hello' as never)).rejects.toThrow('tasks must be an array, got "hello"');
    await expect(fw.executeParallel([], { concurrency: 0 })).rejects.toThrow(
      'concurrency must be an integer >= 1, got 0',
    );
    const iterate = async (source: unknown, concurrency?: number) => {
      for await (const _ of fw.executeStream(source as never, { concurrency })) break;
    };
    await expect(iterate(42)).rejects.toThrow('tasks must be an iterable or async iterable of tasks, got 42');
    await expect(iterate([], 1.5)).rejects.toThrow('concurrency must be an integer >= 1, got 1.5');
    const [outcome] = await fw.executeParallel([null as never]);
    expect(outcome?.status === 'rejected' && (outcome.reason as Error).message).toBe(
      'each task must be an object { skill, input }, got null',
    );
  });

  it('cancels a background task', async () => {
    const id = fw.submit('slow', { ms: 5_000 });
    expect(fw.cancelTask(id)).toBe(true);
    await expect(fw.waitFor(id)).rejects.toMatchObject({ name: 'AbortError' });
    expect(fw.getTask(id)?.state).toBe('cancelled');
    expect(fw.cancelTask(id)).toBe(false);
  });

  it('reports an unknown skill as a failed task, not a throw', async () => {
    const id = fw.submit('no-such-skill');
    await expect(fw.waitFor(id)).rejects.toThrow('was not found');
    expect(fw.getTask(id)).toMatchObject({ state: 'failed', error: { code: 'ESKILLNOTFOUND' } });
  });
});
