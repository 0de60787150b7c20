import { describe, expect, it } from 'vitest';
import { exitFates, type InFlight } from '../src/in-flight.js';
import { Task } from '../src/task.js';

function batch(firstSeq: number, size: number, next: number): InFlight {
  const tasks = Array.from({ length: size }, (_, i) =>
    Task.skill(firstSeq + i, '/skill.py', undefined, undefined, 1_000, 1_000, undefined),
  );
  return { tasks, sentAt: 0, firstSeq, next, onDone: undefined };
}

const ids = (tasks: readonly Task[]) => tasks.map((task) => task.id);

describe('exitFates: which tasks of a dead worker may have run', () => {
  it('without a claim in the first unfinished batch, every unfinished task of it may have started', () => {
    const fates = exitFates([batch(11, 5, 2)], 4);
    expect(ids(fates.started)).toEqual([13, 14, 15]);
    expect(fates).toMatchObject({ certain: false, unstarted: [] });
  });

  it('a claim narrowed to the running task: that one failed for sure, the rest never started', () => {
    const fates = exitFates([batch(11, 5, 2)], 13);
    expect(ids(fates.started)).toEqual([13]);
    expect(fates.certain).toBe(true);
    expect(ids(fates.unstarted)).toEqual([14, 15]);
  });

  it('results still in the worker: the tasks between the last result and the claim are uncertain', () => {
    const fates = exitFates([batch(11, 5, 0)], 13);
    expect(ids(fates.started)).toEqual([11, 12, 13]);
    expect(fates.certain).toBe(false);
    expect(ids(fates.unstarted)).toEqual([14, 15]);
  });

  it('batches queued behind the first one (pipelining) never started', () => {
    const fates = exitFates([batch(11, 3, 1), batch(14, 3, 0)], 12);
    expect(ids(fates.started)).toEqual([12]);
    expect(ids(fates.unstarted)).toEqual([13, 14, 15, 16]);
  });

  it('no batch: nothing to sort', () => {
    expect(exitFates([], 0)).toEqual({ started: [], certain: false, unstarted: [] });
  });
});
