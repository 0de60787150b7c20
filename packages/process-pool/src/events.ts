import type { WorkerExit } from './errors/worker-crashed-error.js';

/** Why a worker process ended. */
export type WorkerExitReason =
  /** It died on its own (a crash, `os._exit`, the OOM killer, `kill -9` from outside). */
  | 'crashed'
  /** Node killed it: a task ignored its timeout for `killGraceMs`. */
  | 'timeout'
  /** Replaced after `maxTasksPerWorker` tasks or a `MemoryError`. */
  | 'recycled'
  /** Stopped after `idleTimeoutMs` without work. */
  | 'idle'
  /** Stopped by `close()`. */
  | 'closed'
  /** It never answered its first ping. */
  | 'failedStart';

/** Payload of `workerStart`. */
export interface WorkerStartEvent {
  readonly workerId: number;
  readonly pid: number;
  /** From spawn to the first answer, in milliseconds. */
  readonly startMs: number;
}

/** Payload of `workerExit`. */
export interface WorkerExitEvent extends WorkerExit {
  readonly reason: WorkerExitReason;
}

/** Payload of `preloadError`: a preloaded module failed to import in a newly started worker. */
export interface PreloadErrorEvent {
  readonly workerId: number;
  readonly error: unknown;
}

/** The events of a `PythonPool`, for its typed `EventEmitter`. */
export interface PythonPoolEvents {
  workerStart: [event: WorkerStartEvent];
  workerExit: [event: WorkerExitEvent];
  preloadError: [event: PreloadErrorEvent];
}
