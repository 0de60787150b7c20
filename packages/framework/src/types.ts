/** Options of one `execute` call. */
export interface ExecuteOptions {
  /**
   * Cancels the call: it rejects with `signal.reason`, whether it is still queued or already
   * running in a worker.
   * @default undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Time limit of one attempt in a worker, in ms.
   * @default the skill's `timeout`, else the framework's `taskTimeoutMs`
   */
  readonly timeoutMs?: number;
  /**
   * Position in the queue when all `maxConcurrentSkills` slots are busy: higher runs first,
   * equal priorities run in call order.
   * @default 0
   */
  readonly priority?: number;
}

/** What a successful call returns. Plain data. */
export interface ExecuteResult<T = unknown> {
  readonly skill: string;
  /** The Python function's return value, decoded from JSON. */
  readonly value: T;
  /** What the call printed to `sys.stdout` (capped by the pool). */
  readonly stdout: string;
  /** What the call printed to `sys.stderr` (capped by the pool). */
  readonly stderr: string;
  /** How long the skill ran in its worker, in ms (as the pool measures it: queueing and transport excluded). */
  readonly durationMs: number;
  /** 1, or more when a retryable failure (a crashed worker) was retried. */
  readonly attempts: number;
  /** True when the result came from the result cache instead of a worker. */
  readonly cached: boolean;
  /** The worker that produced the result (`-1` for a cached result). */
  readonly workerId: number;
}

/** One call in `executeParallel`, `executeStream` or `submit`. */
export interface SkillTask {
  readonly skill: string;
  /**
   * The skill's parameters, checked against its `input` schema.
   * @default {}
   */
  readonly input?: unknown;
  /** @default 0 */
  readonly priority?: number;
  /** @default the skill's `timeout`, else `taskTimeoutMs` */
  readonly timeoutMs?: number;
}

/** The outcome of one task of `executeParallel` or `executeStream`; `index` is its input position. */
export type TaskOutcome<T extends SkillTask = SkillTask> =
  | { readonly status: 'fulfilled'; readonly index: number; readonly task: T; readonly value: ExecuteResult }
  | { readonly status: 'rejected'; readonly index: number; readonly task: T; readonly reason: unknown };

/** Options of `executeStream`. */
export interface StreamOptions {
  /**
   * Most tasks started and not yet consumed. The source is pulled lazily: a slow consumer keeps
   * at most this many tasks ahead of it.
   * @default maxConcurrentSkills
   */
  readonly concurrency?: number;
  /**
   * Yield in input order instead of completion order. A slow task then holds back the results
   * after it (still at most `concurrency` ahead).
   * @default false
   */
  readonly ordered?: boolean;
  /**
   * Stops the stream: tasks in flight are cancelled, the source is closed, and the loop throws
   * `signal.reason`.
   * @default undefined
   */
  readonly signal?: AbortSignal;
}

/** Options of `executeParallel`. */
export interface ParallelOptions {
  /** @default maxConcurrentSkills */
  readonly concurrency?: number;
  /**
   * Cancels the tasks not finished yet: they settle as rejected with `signal.reason`.
   * @default undefined
   */
  readonly signal?: AbortSignal;
}

/** Options of `executeCode`. */
export interface CodeOptions {
  /**
   * Bound to the name `input` in the snippet's namespace; JSON-serialisable.
   * @default undefined
   */
  readonly input?: unknown;
  /** @default taskTimeoutMs */
  readonly timeoutMs?: number;
  /** @default 0 */
  readonly priority?: number;
  /**
   * Cancels the call: it rejects with `signal.reason`.
   * @default undefined
   */
  readonly signal?: AbortSignal;
}

/** What `executeCode` returns. */
export type CodeResult<T = unknown> = Omit<ExecuteResult<T>, 'skill' | 'cached'>;

/** Options of `start`, `listSkills`, `getSkill` and `waitFor`. */
export interface WaitOptions {
  /**
   * Stops waiting: the promise rejects with `signal.reason`. The work itself goes on (it is
   * shared with other callers).
   * @default undefined
   */
  readonly signal?: AbortSignal;
}

/** Options of `close`. */
export interface CloseOptions {
  /**
   * How long running calls may take to finish before the workers are stopped and the calls
   * still running reject with `FrameworkClosedError`, in ms.
   * @default 5_000
   */
  readonly timeoutMs?: number;
}
