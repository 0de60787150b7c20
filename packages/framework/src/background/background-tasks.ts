import { randomUUID } from 'node:crypto';
import { isFrameworkClosedError, TaskNotFoundError } from '../errors.js';
import type { ExecuteResult } from '../types.js';
import { withSignal } from '../util/with-signal.js';

/** Where a background task is in its life. */
export type TaskState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A failure, as plain data. */
export interface TaskErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
}

/** A background task, as `getTask` returns it: plain, JSON-serialisable data. */
export interface TaskInfo {
  readonly id: string;
  readonly skill: string;
  readonly state: TaskState;
  /** Epoch ms. */
  readonly submittedAt: number;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  /** Set once the task `completed`. */
  readonly result: ExecuteResult | undefined;
  /** Set once the task `failed` or was `cancelled`. */
  readonly error: TaskErrorInfo | undefined;
}

/** Hooks through which the facade learns about (and publishes) task transitions. */
export interface TaskEvents {
  started(id: string, skill: string): void;
  completed(id: string, skill: string, result: ExecuteResult): void;
  failed(id: string, skill: string, error: unknown): void;
}

interface TaskRecord {
  info: TaskInfo;
  readonly controller: AbortController;
  done: Promise<ExecuteResult>;
}

/** Runs the task; must call `onStart` when it leaves the queue. */
export type BackgroundRun = (signal: AbortSignal, onStart: () => void) => Promise<ExecuteResult>;

/**
 * Background tasks: ids handed out at once, states kept for polling, and a bounded history of
 * finished tasks (the oldest finished ones are forgotten first; unfinished ones never are).
 */
export class BackgroundTasks {
  readonly #records = new Map<string, TaskRecord>();
  /** Finished ids, oldest first (a Set keeps insertion order). */
  readonly #finished = new Set<string>();
  readonly #historySize: number;
  readonly #events: TaskEvents;

  constructor(historySize: number, events: TaskEvents) {
    this.#historySize = historySize;
    this.#events = events;
  }

  submit(skill: string, run: BackgroundRun): string {
    const id = randomUUID();
    const controller = new AbortController();
    const record: TaskRecord = {
      info: {
        id,
        skill,
        state: 'queued',
        submittedAt: Date.now(),
        startedAt: undefined,
        finishedAt: undefined,
        result: undefined,
        error: undefined,
      },
      controller,
      done: Promise.resolve(undefined as never),
    };
    // Recorded before `run`: with a free slot the task starts (and calls onStart) synchronously.
    this.#records.set(id, record);
    const onStart = (): void => {
      if (record.info.state !== 'queued') return;
      record.info = { ...record.info, state: 'running', startedAt: Date.now() };
      this.#events.started(id, skill);
    };
    try {
      record.done = run(controller.signal, onStart);
    } catch (error) {
      record.done = Promise.reject(error);
    }
    record.done.then(
      (result) => this.#finish(record, 'completed', result, undefined),
      (error: unknown) => {
        const cancelled = controller.signal.aborted || isFrameworkClosedError(error);
        this.#finish(record, cancelled ? 'cancelled' : 'failed', undefined, error);
      },
    );
    return id;
  }

  get(id: string): TaskInfo | undefined {
    return this.#records.get(id)?.info;
  }

  /** The task's result; rejects with its error, or `TaskNotFoundError` for an unknown id. */
  waitFor(id: string, signal?: AbortSignal): Promise<ExecuteResult> {
    const record = this.#records.get(id);
    if (record === undefined) return Promise.reject(new TaskNotFoundError(id));
    return withSignal(record.done, signal);
  }

  /** Cancels a queued or running task; false if it is unknown or already finished. */
  cancel(id: string, reason?: unknown): boolean {
    const record = this.#records.get(id);
    if (record === undefined || this.#finished.has(id)) return false;
    record.controller.abort(reason);
    return true;
  }

  /** Ids of unfinished tasks, by state, oldest first. */
  status(): { running: string[]; queued: string[] } {
    const running: string[] = [];
    const queued: string[] = [];
    for (const [id, { info }] of this.#records) {
      if (info.state === 'running') running.push(id);
      else if (info.state === 'queued') queued.push(id);
    }
    return { running, queued };
  }

  #finish(record: TaskRecord, state: TaskState, result: ExecuteResult | undefined, error: unknown): void {
    const id = record.info.id;
    record.info = { ...record.info, state, finishedAt: Date.now(), result, error: describeError(error) };
    this.#finished.add(id);
    if (this.#finished.size > this.#historySize) {
      const oldest = this.#finished.values().next().value as string;
      this.#finished.delete(oldest);
      this.#records.delete(oldest);
    }
    if (state === 'completed') this.#events.completed(id, record.info.skill, result!);
    else this.#events.failed(id, record.info.skill, error);
  }
}

function describeError(error: unknown): TaskErrorInfo | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as { name?: unknown; message?: unknown; code?: unknown };
    return {
      name: typeof e.name === 'string' ? e.name : 'Error',
      message: String(e.message),
      code: typeof e.code === 'string' ? e.code : undefined,
    };
  }
  return { name: 'Error', message: String(error), code: undefined };
}
