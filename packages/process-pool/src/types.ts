/** One call of a function in a Python file. */
export interface RunRequest {
  /** The Python file; relative paths are resolved against Node's working directory. */
  readonly path: string;
  /**
   * The function to call with `params` as keyword arguments; sync or `async def`.
   * @default 'execute', or 'main' if the module has no `execute`
   */
  readonly fn?: string;
  /**
   * Keyword arguments, a plain JSON-serialisable object. Encoded with `JSON.stringify`, so
   * `undefined` fields vanish and `NaN` becomes `null`, as anywhere JSON is used.
   * @default {}
   */
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * Overrides the pool's `taskTimeoutMs` for this call.
   */
  readonly timeoutMs?: number;
}

/** What a task returned. */
export interface RunResult<T = unknown> {
  /** The function's return value (or the snippet's `result`), through JSON. */
  readonly value: T;
  /** What the task wrote to `sys.stdout`, up to `maxOutputBytes`. */
  readonly stdout: string;
  /** What the task wrote to `sys.stderr`, up to `maxOutputBytes`. */
  readonly stderr: string;
  /** Time the task ran in its worker, in milliseconds (queueing and transport excluded). */
  readonly durationMs: number;
  /** The worker that ran it. */
  readonly workerId: number;
}

/** Options of one `run()`. */
export interface RunOptions {
  /**
   * Aborting it rejects the call at once with `signal.reason`. A task still queued is never
   * sent; one already running is not interrupted (its result is dropped when it arrives).
   */
  readonly signal?: AbortSignal;
}

/** Options of one `runCode()`. */
export interface RunCodeOptions extends RunOptions {
  /** Bound to the name `input` in the snippet's namespace. JSON-serialisable. */
  readonly input?: unknown;
  /** Overrides the pool's `taskTimeoutMs` for this call. */
  readonly timeoutMs?: number;
}

/** Options of `start()` and `preload()`. */
export interface WaitOptions {
  /** Stops waiting; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** Options of `close()`. */
export interface CloseOptions {
  /**
   * How long running and queued tasks may take to finish. After it, the workers are killed and
   * every task still pending fails with `PoolClosedError`.
   * @default 5_000
   */
  readonly timeoutMs?: number;
}
