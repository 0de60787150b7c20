import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type BackgroundRun, BackgroundTasks, type TaskEvents } from '../src/background/background-tasks.js';
import { FrameworkClosedError, isTaskNotFoundError } from '../src/errors.js';
import { Executor } from '../src/executor/executor.js';
import type { ExecuteResult } from '../src/types.js';

const result = (value: unknown): ExecuteResult => ({
  skill: 's',
  value,
  stdout: '',
  stderr: '',
  durationMs: 1,
  attempts: 1,
  cached: false,
  workerId: 1,
});

/** Background tasks over a real executor with one slot, so that tasks really queue. */
function setup(historySize = 100) {
  const events: string[] = [];
  const listener: TaskEvents = {
    started: (id) => events.push(`started ${id}`),
    completed: (id, _skill, r) => events.push(`completed ${id} ${String(r.value)}`),
    failed: (id, _skill, e) => events.push(`failed ${id} ${(e as Error).message}`),
  };
  const tasks = new BackgroundTasks(historySize, listener);
  const executor = new Executor(1, 100);
  const timed =
    (ms: number, value: unknown, fail = false): BackgroundRun =>
    (signal, onStart) =>
      executor.run(
        () =>
          new Promise<ExecuteResult>((resolve, reject) => {
            onStart();
            const timer = setTimeout(
              () => (fail ? reject(new Error(String(value))) : resolve(result(value))),
              ms,
            );
            signal.addEventListener(
              'abort',
              () => {
                clearTimeout(timer);
                reject(signal.reason);
              },
              { once: true },
            );
          }),
        0,
        signal,
      );
  return { tasks, executor, events, timed };
}

describe('BackgroundTasks', () => {
  it('hands out an id at once and tracks queued -> running -> completed', async () => {
    const { tasks, events, timed } = setup();
    const a = tasks.submit('s', timed(20, 'A'));
    const b = tasks.submit('s', timed(5, 'B'));
    expect(a).not.toBe(b);
    expect(tasks.get(a)).toMatchObject({ id: a, skill: 's', state: 'running', result: undefined });
    expect(tasks.get(b)).toMatchObject({ state: 'queued', startedAt: undefined });
    expect(tasks.status()).toEqual({ running: [a], queued: [b] });
    expect(await tasks.waitFor(b)).toMatchObject({ value: 'B' });
    const info = tasks.get(a)!;
    expect(info).toMatchObject({ state: 'completed', result: { value: 'A' }, error: undefined });
    expect(info.finishedAt).toBeGreaterThanOrEqual(info.startedAt!);
    expect(info.startedAt).toBeGreaterThanOrEqual(info.submittedAt);
    expect(JSON.parse(JSON.stringify(info))).toMatchObject({
      id: a,
      state: 'completed',
      result: { value: 'A' },
    });
    expect(tasks.status()).toEqual({ running: [], queued: [] });
    // The slot A frees starts B before A's completion is reported.
    expect(events).toEqual([`started ${a}`, `started ${b}`, `completed ${a} A`, `completed ${b} B`]);
  });

  it('records a failure as plain data and rejects waitFor with the error itself', async () => {
    const { tasks, events, timed } = setup();
    const id = tasks.submit('s', timed(1, 'it broke', true));
    const error = await tasks.waitFor(id).catch((e: unknown) => e);
    expect((error as Error).message).toBe('it broke');
    expect(tasks.get(id)).toMatchObject({
      state: 'failed',
      error: { name: 'Error', message: 'it broke', code: undefined },
      result: undefined,
    });
    expect(events).toContain(`failed ${id} it broke`);
  });

  it('counts a FrameworkClosedError as cancelled, not failed', async () => {
    const { tasks, executor, timed } = setup();
    const running = tasks.submit('s', timed(20, 'R'));
    const queued = tasks.submit('s', timed(1, 'Q'));
    executor.close(new FrameworkClosedError());
    await expect(tasks.waitFor(queued)).rejects.toBeInstanceOf(FrameworkClosedError);
    expect(tasks.get(queued)).toMatchObject({ state: 'cancelled', error: { code: 'EFRAMEWORKCLOSED' } });
    await expect(tasks.waitFor(running)).resolves.toMatchObject({ value: 'R' });
  });

  it('cancels a queued or running task, and not a finished one', async () => {
    const { tasks, timed } = setup();
    const running = tasks.submit('s', timed(10_000, 'R'));
    const queued = tasks.submit('s', timed(10_000, 'Q'));
    const reason = new Error('not needed');
    expect(tasks.cancel(queued, reason)).toBe(true);
    expect(tasks.cancel(running, reason)).toBe(true);
    await expect(tasks.waitFor(queued)).rejects.toBe(reason);
    await expect(tasks.waitFor(running)).rejects.toBe(reason);
    expect(tasks.get(queued)).toMatchObject({ state: 'cancelled', startedAt: undefined });
    expect(tasks.get(running)).toMatchObject({ state: 'cancelled', error: { message: 'not needed' } });
    expect(tasks.cancel(running)).toBe(false);
    expect(tasks.cancel('no-such-id')).toBe(false);
  });

  it('keeps a bounded history of finished tasks, forgetting the oldest first', async () => {
    const { tasks, timed } = setup(2);
    const ids = [1, 2, 3, 4].map((n) => tasks.submit('s', timed(1, n)));
    const pending = tasks.submit('s', timed(10_000, 'pending'));
    await Promise.all(ids.map((id) => tasks.waitFor(id)));
    expect(ids.map((id) => tasks.get(id)?.state)).toEqual([undefined, undefined, 'completed', 'completed']);
    const forgotten = await tasks.waitFor(ids[0]!).catch((e: unknown) => e);
    expect(isTaskNotFoundError(forgotten)).toBe(true);
    expect((forgotten as Error).message).toContain(ids[0]);
    expect(tasks.get(pending)?.state).toBe('running');
    tasks.cancel(pending);
    await tasks.waitFor(pending).catch(() => undefined);
  });

  it('waitFor honours its signal and removes its listener', async () => {
    const { tasks, timed } = setup();
    const id = tasks.submit('s', timed(30, 'late'));
    const controller = new AbortController();
    const waiting = tasks.waitFor(id, controller.signal);
    const reason = new Error('stop waiting');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    // The task itself goes on.
    await expect(tasks.waitFor(id)).resolves.toMatchObject({ value: 'late' });
    const other = new AbortController();
    await tasks.waitFor(id, other.signal);
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
    await expect(tasks.waitFor(id, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('survives a run that throws synchronously', async () => {
    const { tasks } = setup();
    const id = tasks.submit('s', () => {
      throw new Error('sync');
    });
    await expect(tasks.waitFor(id)).rejects.toThrow('sync');
    expect(tasks.get(id)?.state).toBe('failed');
  });
});
