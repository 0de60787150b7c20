/** Why tasks failed, counted by kind. */
export interface FailureCounts {
  /** The task raised a Python exception. */
  readonly python: number;
  /** The task overran its timeout. */
  readonly timeout: number;
  /** Parameters or result JSON could not carry. */
  readonly serialization: number;
  /** The task hit `memoryLimitMb`. */
  readonly memory: number;
  /** Request or result over `maxMessageBytes`. */
  readonly tooLarge: number;
  /** The worker died under the task. */
  readonly crashed: number;
  /** No worker within `acquireTimeoutMs`. */
  readonly acquireTimeout: number;
  /** Pending when `close()` gave up waiting. */
  readonly closed: number;
}

/** A plain, JSON-serialisable snapshot of a pool. */
export interface PythonPoolStats {
  readonly workers: {
    /** Alive: idle + busy + starting. */
    readonly total: number;
    readonly idle: number;
    readonly busy: number;
    readonly starting: number;
  };
  /** Tasks waiting for a worker. */
  readonly queued: number;
  /** Tasks that returned a result or raised, in a worker. */
  readonly tasksRun: number;
  readonly succeeded: number;
  readonly failures: FailureCounts;
  /** Workers that died unexpectedly. */
  readonly crashes: number;
  /** Workers killed because a task did not yield to its timeout. */
  readonly timeoutKills: number;
  /** Workers replaced after `maxTasksPerWorker` tasks or a `MemoryError`. */
  readonly recycles: number;
  /** Workers stopped after `idleTimeoutMs` without work. */
  readonly evictions: number;
  /** Tasks re-run on another worker because theirs died before starting them. */
  readonly redispatched: number;
  /** Batches sent to workers. */
  readonly batches: number;
  /** Tasks per batch, on average. */
  readonly meanBatchSize: number;
  readonly spawns: {
    /** Workers started (spawned and answering). */
    readonly started: number;
    /** Workers that could not start. */
    readonly failed: number;
    /** Mean time from spawn to the first answer, in milliseconds. */
    readonly meanMs: number;
    /** Time from spawn to the first answer of the latest worker, in milliseconds. */
    readonly lastMs: number;
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The pool's running counters; workers increment them directly (no callback per task). */
export class PoolCounters {
  tasksRun = 0;
  succeeded = 0;
  readonly failures: Mutable<FailureCounts> = {
    python: 0,
    timeout: 0,
    serialization: 0,
    memory: 0,
    tooLarge: 0,
    crashed: 0,
    acquireTimeout: 0,
    closed: 0,
  };
  crashes = 0;
  timeoutKills = 0;
  recycles = 0;
  evictions = 0;
  redispatched = 0;
  batches = 0;
  batchedTasks = 0;
  spawned = 0;
  spawnFailures = 0;
  spawnMsTotal = 0;
  lastSpawnMs = 0;
}
