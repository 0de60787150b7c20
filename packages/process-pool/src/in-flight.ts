import type { Task } from './task.js';

/** A batch written to a worker whose results are not all in. */
export interface InFlight {
  readonly tasks: readonly Task[];
  /** When it was written, `performance.now()`. */
  readonly sentAt: number;
  /** Sequence number of its first task: the worker counts tasks received, so does Node. */
  readonly firstSeq: number;
  /** Index of the next task whose result is due. */
  next: number;
  readonly onDone: (() => void) | undefined;
}

/** What became of the tasks without a result when their worker died. */
export interface ExitFates {
  /** Tasks that may have started (and maybe finished), in order: they must not run again. */
  readonly started: readonly Task[];
  /** True when `started` holds one task only: the one that was running. */
  readonly certain: boolean;
  /** Tasks the worker never started: they may run on another worker. */
  readonly unstarted: readonly Task[];
}

/**
 * Sorts the tasks of a dead worker. Results arrive in task order, so the first task without one
 * is the earliest that may have been running. The worker's last claim says how far it may have
 * gone: without a claim inside the first unfinished batch, any task of that batch may have
 * started (the worker widens its claim to a whole batch when it starts it, without a write).
 * Later batches were never started: the worker finishes a batch, results written, before it reads
 * the next.
 */
export function exitFates(batches: readonly InFlight[], claim: number): ExitFates {
  const head = batches[0];
  if (head === undefined) return { started: [], certain: false, unstarted: [] };
  const lastStarted = claim >= head.firstSeq ? claim : head.firstSeq + head.tasks.length - 1;
  const started: Task[] = [];
  const unstarted: Task[] = [];
  for (const batch of batches) {
    for (let i = batch.next; i < batch.tasks.length; i++) {
      if (batch.firstSeq + i <= lastStarted) started.push(batch.tasks[i]!);
      else unstarted.push(batch.tasks[i]!);
    }
  }
  return { started, certain: started.length === 1, unstarted };
}
