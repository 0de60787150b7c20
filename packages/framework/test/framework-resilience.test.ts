import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isCircuitOpenError,
  isFrameworkClosedError,
  isInputValidationError,
  isPythonError,
  isSerializationError,
  isSkillNotFoundError,
  isWorkerCrashedError,
  type SkillTask,
} from '../src/index.js';
import { failure, framework, scratchDir } from './helpers.js';

describe('circuit breaker', () => {
  it('opens after 5 consecutive failures, rejects fast, half-opens after the timeout, and closes again', async () => {
    const fw = framework({ circuitBreakerThreshold: 5, circuitBreakerTimeout: 400 });
    const events: string[] = [];
    fw.on('circuitOpen', ({ skill, trigger }) => events.push(`open ${skill} ${trigger}`));
    fw.on('circuitHalfOpen', ({ skill }) => events.push(`halfOpen ${skill}`));
    fw.on('circuitClose', ({ skill }) => events.push(`close ${skill}`));
    try {
      await fw.start();
      for (let i = 0; i < 5; i++) {
        expect(isPythonError(await failure(fw.execute('flaky', { fail: true })))).toBe(true);
      }
      expect(events).toEqual(['open flaky failureThreshold']);
      expect(fw.stats().breakers.flaky).toBe('OPEN');

      // Rejected at once: the call never reaches the queue or a worker.
      const tasksRun = fw.stats().pool.tasksRun;
      const rejected = await failure(fw.execute('flaky', {}));
      expect(isCircuitOpenError(rejected)).toBe(true);
      expect(fw.stats().pool.tasksRun).toBe(tasksRun);
      expect(fw.stats().executor.completed + fw.stats().executor.failed).toBe(5);
      // Other skills have their own circuit.
      await expect(fw.execute('hello')).resolves.toMatchObject({ skill: 'hello' });

      await new Promise((resolve) => setTimeout(resolve, 450));
      await expect(fw.execute('flaky', { value: 1 })).resolves.toMatchObject({
        value: { ok: true, value: 1 },
      });
      expect(events).toEqual(['open flaky failureThreshold', 'halfOpen flaky', 'close flaky']);
      expect(fw.stats().breakers.flaky).toBe('CLOSED');
      expect(fw.stats().skills.flaky).toMatchObject({ calls: 7, failed: 5, rejected: 1, succeeded: 1 });
    } finally {
      await fw.close();
    }
  });

  it('never counts caller errors', async () => {
    const fw = framework({ circuitBreakerThreshold: 2 });
    try {
      for (let i = 0; i < 3; i++) {
        // Input the schema allows but JSON cannot carry: refused on the way in, not the skill's fault.
        const unsendable = await failure(fw.execute('flaky', { value: 10n }));
        expect(isSerializationError(unsendable)).toBe(true);
        expect(unsendable).toMatchObject({ direction: 'params' });
      }
      for (let i = 0; i < 5; i++) {
        expect(isInputValidationError(await failure(fw.execute('flaky', { bogus: true })))).toBe(true);
        expect(isSkillNotFoundError(await failure(fw.execute('flaky-nope')))).toBe(true);
        const reason = new Error('aborted by caller');
        await expect(fw.execute('flaky', {}, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      }
      const controller = new AbortController();
      const running = fw.execute('slow', { ms: 1_000 }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await expect(running).rejects.toMatchObject({ name: 'AbortError' });
      expect(fw.stats().breakers).toMatchObject({ flaky: 'CLOSED', slow: 'CLOSED' });
      await expect(fw.execute('flaky', {})).resolves.toMatchObject({ attempts: 1 });
    } finally {
      await fw.close();
    }
  });
});

describe('retry', () => {
  it('retries a crashed worker and reports the attempts', async () => {
    const dir = scratchDir();
    const fw = framework();
    try {
      const marker = join(dir.path, 'crashed-once');
      const r = await fw.execute('flaky', { crash_once_marker: marker, value: 'survived' });
      expect(r).toMatchObject({ value: { ok: true, value: 'survived' }, attempts: 2 });
      expect(fw.stats().skills.flaky).toMatchObject({ retries: 1, succeeded: 1, failed: 0 });
      expect(fw.stats().pool.crashes).toBe(1);
    } finally {
      await fw.close();
      dir.remove();
    }
  });

  it('gives up after maxAttempts with WorkerCrashedError', async () => {
    const fw = framework({ retry: { maxAttempts: 3, baseDelayMs: 1 } });
    try {
      const error = await failure(fw.execute('flaky', { crash: true }));
      expect(isWorkerCrashedError(error)).toBe(true);
      expect(fw.stats().skills.flaky).toMatchObject({ retries: 2, failed: 1 });
      expect(fw.stats().pool.crashes).toBe(3);
    } finally {
      await fw.close();
    }
  });

  it("never retries a skill's own exception, and nothing with retry: false", async () => {
    const fw = framework({ retry: false });
    try {
      expect(isPythonError(await failure(fw.execute('flaky', { fail: true })))).toBe(true);
      expect(isWorkerCrashedError(await failure(fw.execute('flaky', { crash: true })))).toBe(true);
      expect(fw.stats().skills.flaky).toMatchObject({ retries: 0, failed: 2 });
    } finally {
      await fw.close();
    }
  });

  it('retries what a custom isRetryable allows', async () => {
    const seen: unknown[] = [];
    const fw = framework({
      retry: {
        maxAttempts: 2,
        baseDelayMs: 1,
        isRetryable: (e) => {
          seen.push(e);
          return isPythonError(e);
        },
      },
    });
    try {
      expect(isPythonError(await failure(fw.execute('flaky', { fail: true })))).toBe(true);
      expect(seen).toHaveLength(1);
      expect(fw.stats().skills.flaky).toMatchObject({ retries: 1, failed: 1 });
    } finally {
      await fw.close();
    }
  });
});

describe('many calls', () => {
  it('settles 1,000 mixed parallel tasks with random failures, each exactly once', async () => {
    const fw = framework({ maxConcurrentSkills: 16, enableCircuitBreaker: false });
    try {
      // A fixed-seed generator: the same mix every run, so a failure is reproducible.
      let seed = 42;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const kinds = ['ok', 'fail', 'invalid', 'missing', 'sum'] as const;
      const plan = Array.from({ length: 1_000 }, () => kinds[Math.floor(random() * kinds.length)]!);
      const make: Record<(typeof kinds)[number], (i: number) => SkillTask> = {
        ok: (i) => ({ skill: 'flaky', input: { value: i } }),
        fail: (i) => ({ skill: 'flaky', input: { fail: true, message: `task ${i}` } }),
        invalid: (i) => ({ skill: 'hello', input: { name: i } }),
        missing: () => ({ skill: 'no-such-skill' }),
        sum: (i) => ({ skill: 'pure-sum', input: { numbers: [i, 1] } }),
      };
      const tasks = plan.map((kind, i) => make[kind](i));
      const outcomes = await fw.executeParallel(tasks);
      expect(outcomes).toHaveLength(1_000);
      outcomes.forEach((outcome, i) => {
        expect(outcome.index).toBe(i);
        expect(outcome.task).toBe(tasks[i]);
        const kind = plan[i];
        if (kind === 'ok')
          expect(outcome.status === 'fulfilled' && outcome.value.value).toEqual({ ok: true, value: i });
        else if (kind === 'sum')
          expect(outcome.status === 'fulfilled' && outcome.value.value).toEqual({ sum: i + 1, count: 2 });
        else {
          expect(outcome.status).toBe('rejected');
          const reason = outcome.status === 'rejected' ? outcome.reason : undefined;
          if (kind === 'fail') expect((reason as Error).message).toContain(`task ${i}`);
          if (kind === 'invalid') expect(isInputValidationError(reason)).toBe(true);
          if (kind === 'missing') expect(isSkillNotFoundError(reason)).toBe(true);
        }
      });
      const stats = fw.stats();
      expect(stats.executor).toMatchObject({ running: 0, queued: 0 });
      const reachedPool = plan.filter((k) => k === 'ok' || k === 'fail' || k === 'sum').length;
      expect(stats.pool.tasksRun).toBe(reachedPool);
    } finally {
      await fw.close();
    }
  }, 60_000);
});

describe('close under load', () => {
  it('settles every pending call with a result or FrameworkClosedError, and leaves nothing behind', async () => {
    const fw = framework({ maxConcurrentSkills: 4 });
    await fw.start();
    const calls = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 ? fw.execute('slow', { ms: 30 }) : fw.execute('hello', { name: `n${i}` }),
    );
    let settledCount = 0;
    for (const call of calls)
      call.then(
        () => settledCount++,
        () => settledCount++,
      );
    const allSettled = Promise.allSettled(calls);
    const background = Array.from({ length: 20 }, () => fw.submit('slow', { ms: 30 }));
    const stream = (async () => {
      const seen: string[] = [];
      try {
        for await (const o of fw.executeStream(
          (function* () {
            for (;;) yield { skill: 'hello' };
          })(),
        )) {
          seen.push(o.status);
        }
      } catch (error) {
        seen.push(isFrameworkClosedError(error) ? 'closed' : `unexpected ${String(error)}`);
      }
      return seen;
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await fw.close({ timeoutMs: 100 });
    // close() resolves only once every call has settled.
    expect(settledCount).toBe(200);

    const settled = await allSettled;
    let fulfilled = 0;
    for (const s of settled) {
      if (s.status === 'fulfilled') fulfilled++;
      else expect(isFrameworkClosedError(s.reason)).toBe(true);
    }
    expect(fulfilled).toBeGreaterThan(0);
    expect(fulfilled).toBeLessThan(200);
    for (const id of background) expect(['completed', 'cancelled']).toContain(fw.getTask(id)?.state);
    const streamed = await stream;
    expect(streamed.length).toBeGreaterThan(0);
    expect(fw.stats()).toMatchObject({
      state: 'closed',
      executor: { running: 0, queued: 0 },
      pool: { workers: { total: 0 } },
    });
    expect(fw.getTaskStatus()).toMatchObject({ running: [], queued: [] });
    expect(fw.listenerCount('taskCompleted')).toBe(0);
  }, 30_000);
});
