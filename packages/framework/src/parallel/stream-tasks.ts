import type { ExecuteResult, SkillTask, TaskOutcome } from '../types.js';
import { sharedSignalController } from '../util/linked-signal.js';
import type { TaskRunner } from './run-parallel.js';

/**
 * Runs tasks pulled lazily from `source`, keeping at most `concurrency` started and not yet
 * consumed, and yields one outcome per task (completion order, or input order if `ordered`).
 *
 * Leaving early (`break`, a throw in the loop body, `signal`, a source that throws) aborts the
 * tasks in flight, closes the source with `return()`, and waits for the aborted tasks to settle,
 * so nothing started by the stream outlives it.
 */
export async function* streamTasks<T extends SkillTask>(
  source: Iterable<T> | AsyncIterable<T>,
  run: TaskRunner<T>,
  concurrency: number,
  ordered: boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<TaskOutcome<T>, void, undefined> {
  signal?.throwIfAborted();
  const asyncIterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : undefined;
  const syncIterator = asyncIterator === undefined ? (source as Iterable<T>)[Symbol.iterator]() : undefined;
  const controller = sharedSignalController(concurrency);
  let exhausted = false;
  let closed = false;
  let pulling = false;
  let sourceError: { error: unknown } | undefined;
  let inFlight = 0;
  let nextIndex = 0;
  let nextToYield = 0;
  const ready: TaskOutcome<T>[] = [];
  const held = new Map<number, TaskOutcome<T>>();
  let waiter: (() => void) | undefined;
  let woken = false;

  const wake = (): void => {
    woken = true;
    const resume = waiter;
    waiter = undefined;
    resume?.();
  };
  const onAbort = (): void => wake();
  signal?.addEventListener('abort', onAbort, { once: true });

  const buffered = (): number => (ordered ? held.size : ready.length);
  const settle = (outcome: TaskOutcome<T>): void => {
    inFlight--;
    if (ordered) held.set(outcome.index, outcome);
    else ready.push(outcome);
    wake();
  };
  const start = (task: T): void => {
    const index = nextIndex++;
    inFlight++;
    let promise: Promise<ExecuteResult>;
    try {
      promise = run(task, controller.signal);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => settle({ status: 'fulfilled', index, task, value }),
      (reason: unknown) => settle({ status: 'rejected', index, task, reason }),
    );
  };
  const hasRoom = (): boolean => !exhausted && inFlight + buffered() < concurrency;
  const pull = (): void => {
    if (syncIterator !== undefined) {
      while (hasRoom()) {
        const next = syncIterator.next();
        if (next.done) exhausted = true;
        else start(next.value);
      }
    } else if (!pulling && hasRoom()) {
      pulling = true;
      asyncIterator!.next().then(
        (next) => {
          pulling = false;
          // A task that arrives after the consumer left is never started.
          if (next.done) exhausted = true;
          else if (!closed) start(next.value);
          wake();
        },
        (error: unknown) => {
          pulling = false;
          exhausted = true;
          sourceError = { error };
          wake();
        },
      );
    }
  };
  const nextReady = (): TaskOutcome<T> | undefined => {
    if (!ordered) return ready.shift();
    const outcome = held.get(nextToYield);
    if (outcome !== undefined) {
      held.delete(nextToYield);
      nextToYield++;
    }
    return outcome;
  };

  try {
    for (;;) {
      woken = false;
      signal?.throwIfAborted();
      if (sourceError !== undefined) throw sourceError.error;
      // Top up before yielding, so the tasks keep running while the consumer works.
      try {
        pull();
      } catch (error) {
        exhausted = true;
        throw error;
      }
      const outcome = nextReady();
      if (outcome !== undefined) {
        yield outcome;
        continue;
      }
      if (exhausted && !pulling && inFlight === 0 && buffered() === 0) return;
      if (!woken) await sleep();
    }
  } finally {
    closed = true;
    signal?.removeEventListener('abort', onAbort);
    if (inFlight > 0) {
      controller.abort(
        signal?.aborted
          ? signal.reason
          : new DOMException('The stream ended before this task finished', 'AbortError'),
      );
    }
    if (!exhausted) {
      exhausted = true;
      const closing = closeSource(asyncIterator ?? syncIterator);
      // An async generator queues return() behind a pending next(), which may never settle:
      // then the source is told to close but not waited for.
      if (!pulling) await closing;
    }
    while (inFlight > 0) await sleep();
  }

  function sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      waiter = resolve;
    });
  }
}

async function closeSource(iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined): Promise<void> {
  try {
    await iterator?.return?.();
  } catch {
    // The consumer already left; a source that fails to close has nobody to tell.
  }
}
