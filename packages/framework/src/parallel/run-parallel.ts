import type { ExecuteResult, SkillTask, TaskOutcome } from '../types.js';

/** Runs one task; the signal is the caller's (or undefined). */
export type TaskRunner<T extends SkillTask> = (
  task: T,
  signal: AbortSignal | undefined,
) => Promise<ExecuteResult>;

/**
 * Runs every task with at most `concurrency` in flight and settles each exactly once, in input
 * order. A fixed number of lanes pull the next index, so the queue never holds more than
 * `concurrency` of these tasks and a large batch cannot fill `maxQueue`. After `stop` aborts,
 * the tasks not started yet settle as rejected with its reason without running. Each task gets
 * `taskSignal`, which may be none: a signal per call costs a listener per call downstream.
 */
export async function runParallel<T extends SkillTask>(
  tasks: readonly T[],
  run: TaskRunner<T>,
  concurrency: number,
  stop: AbortSignal | undefined,
  taskSignal: AbortSignal | undefined,
): Promise<TaskOutcome<T>[]> {
  const outcomes = new Array<TaskOutcome<T>>(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index] as T;
      if (stop?.aborted) {
        outcomes[index] = { status: 'rejected', index, task, reason: stop.reason };
        continue;
      }
      try {
        outcomes[index] = { status: 'fulfilled', index, task, value: await run(task, taskSignal) };
      } catch (reason) {
        outcomes[index] = { status: 'rejected', index, task, reason };
      }
    }
  };
  const lanes = Math.min(concurrency, tasks.length);
  await Promise.all(Array.from({ length: lanes }, lane));
  return outcomes;
}
