import { EventEmitter } from 'node:events';
import {
  BreakerRegistry,
  type CircuitBreaker,
  type CircuitState,
  defaultIsFailure,
  isBreakerShutdownError,
  isCallerError,
  retry,
} from '@mcp-exec/circuit-breaker';
import { isAcquireTimeoutError, isPoolClosedError, PythonPool } from '@mcp-exec/process-pool';
import { type BackgroundRun, BackgroundTasks, type TaskInfo } from './background/background-tasks.js';
import { type CallOptions, checkCallOptions, closeTimeoutOf } from './call-options.js';
import { FrameworkClosedError, isFrameworkClosedError, isQueueFullError } from './errors.js';
import type { FrameworkEvents } from './events.js';
import { Executor } from './executor/executor.js';
import type { MCPCodeExecutionFrameworkOptions } from './options.js';
import { runParallel } from './parallel/run-parallel.js';
import { streamTasks } from './parallel/stream-tasks.js';
import { type ResolvedOptions, resolveOptions } from './resolve-options.js';
import type { LoadedSkill, SkillInfo } from './skills/skill-loader.js';
import { SkillRegistry } from './skills/skill-registry.js';
import type { FrameworkStats } from './stats/framework-stats.js';
import { SkillMetrics } from './stats/skill-metrics.js';
import type {
  CodeOptions,
  CodeResult,
  ExecuteOptions,
  ExecuteResult,
  ParallelOptions,
  SkillTask,
  StreamOptions,
  TaskOutcome,
} from './types.js';
import { linkSignal } from './util/linked-signal.js';

type State = 'idle' | 'starting' | 'started' | 'closing' | 'closed';

/** What one skill keeps across reloads: its counters, its breaker, its option-less call. */
interface SkillRuntime {
  readonly metrics: SkillMetrics;
  readonly breaker: CircuitBreaker | undefined;
  defaultCall: CallOptions;
}

/**
 * Runs skills and ad-hoc Python in warm workers, with a bounded priority queue, a circuit
 * breaker per skill, classified retry, background tasks and streams.
 *
 * @example
 * ```ts
 * const fw = new MCPCodeExecutionFramework({ skillsDir: './skills', maxConcurrentSkills: 8 });
 * await fw.start();
 * const { value } = await fw.execute('hello', { name: 'Ada' });
 * await fw.close();
 * ```
 */
export class MCPCodeExecutionFramework extends EventEmitter<FrameworkEvents> {
  readonly #options: ResolvedOptions;
  readonly #registry: SkillRegistry;
  readonly #executor: Executor;
  readonly #pool: PythonPool;
  readonly #breakers: BreakerRegistry | undefined;
  readonly #tasks: BackgroundTasks;
  readonly #runtimes = new Map<string, SkillRuntime>();
  readonly #codeMetrics = new SkillMetrics();
  /** Aborted by `close()`: ends retry backoffs, which hold no queue slot. */
  readonly #closing = new AbortController();
  #state: State = 'idle';
  #starting: Promise<void> | undefined;
  #registryOpened: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #startError: unknown;

  constructor(options: MCPCodeExecutionFrameworkOptions = {}) {
    super();
    const o = resolveOptions(options);
    this.#options = o;
    this.#pool = new PythonPool(o.pool);
    this.#executor = new Executor(o.maxConcurrentSkills, o.maxQueue);
    this.#registry = new SkillRegistry({
      skillsDir: o.skillsDir,
      cache: o.cacheSkills,
      maxSize: o.cacheMaxSize,
      ttl: o.cacheTTL,
      checkInterval: o.skillCheckInterval,
      onLoad: (skill) => {
        if (this.listenerCount('skillLoaded') > 0) this.emit('skillLoaded', { skill: skill.info });
      },
    });
    this.#breakers = o.enableCircuitBreaker ? this.#createBreakers(o) : undefined;
    this.#tasks = new BackgroundTasks(o.taskHistorySize, {
      started: (id, skill) => this.emit('taskStarted', { id, skill }),
      completed: (id, skill, result) => this.emit('taskCompleted', { id, skill, result }),
      failed: (id, skill, error) => this.emit('taskError', { id, skill, error }),
    });
  }

  /**
   * Resolves `skillsDir`, starts the pool's workers and, with `enablePreloading`, loads and
   * imports the `preloadList` skills. Idempotent; calls made before it completes wait for it
   * (and a first call starts the framework by itself).
   */
  start(): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return Promise.reject(this.#closedError());
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /**
   * Runs a skill. Rejects with `SkillNotFoundError`, `InvalidSkillError`,
   * `InputValidationError` (nothing reached Python), `CircuitOpenError`, `QueueFullError`,
   * the pool's `PythonError`, `TaskTimeoutError`, `WorkerCrashedError` (after retries),
   * `FrameworkClosedError`, or `signal.reason`.
   */
  execute<T = unknown>(skill: string, input?: unknown, options?: ExecuteOptions): Promise<ExecuteResult<T>> {
    return this.#call(skill, input, options, undefined) as Promise<ExecuteResult<T>>;
  }

  /**
   * Runs a Python snippet in a warm worker, in a fresh namespace. The snippet sees `input` as a
   * variable and its result is the value of a variable named `result` (see the pool's README).
   * Takes a queue slot like a skill; it has no breaker and is never retried.
   */
  executeCode<T = unknown>(source: string, options: CodeOptions = {}): Promise<CodeResult<T>> {
    if (this.#state !== 'started') return this.#afterStart(() => this.executeCode<T>(source, options));
    if (typeof source !== 'string' || source.trim() === '') {
      return Promise.reject(
        new TypeError(`source must be a non-empty string of Python, got ${typeof source}`),
      );
    }
    const { signal, priority = 0 } = options;
    const timeoutMs = options.timeoutMs ?? this.#options.taskTimeoutMs;
    const metrics = this.#codeMetrics;
    metrics.calls++;
    return this.#executor
      .run(
        () =>
          this.#pool.runCode(source, { input: options.input, timeoutMs, signal }).then((r) => {
            metrics.record(r.durationMs);
            return {
              value: r.value as T,
              stdout: r.stdout,
              stderr: r.stderr,
              durationMs: r.durationMs,
              attempts: 1,
              workerId: r.workerId,
            };
          }),
        priority,
        signal,
      )
      .then(
        (result) => {
          metrics.succeeded++;
          return result;
        },
        (error: unknown) => {
          metrics.failed++;
          throw this.#translate(error);
        },
      );
  }

  /**
   * Runs every task with at most `concurrency` in flight; resolves with one outcome per task, in
   * input order. One failure never sinks the others; it never rejects.
   */
  executeParallel<T extends SkillTask>(
    tasks: readonly T[],
    options: ParallelOptions = {},
  ): Promise<TaskOutcome<T>[]> {
    let concurrency: number;
    try {
      if (!Array.isArray(tasks)) throw new TypeError(`tasks must be an array, got ${describeValue(tasks)}`);
      concurrency = this.#concurrencyOf(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (options.signal === undefined) {
      return runParallel<T>(tasks, this.#runTask, concurrency, this.#closing.signal, undefined);
    }
    const linked = linkSignal(options.signal, concurrency);
    return runParallel<T>(
      tasks,
      this.#runTask,
      concurrency,
      this.#withClose(linked.signal),
      linked.signal,
    ).finally(linked.dispose);
  }

  /**
   * An async generator of outcomes over a (possibly async, possibly endless) iterable of tasks,
   * pulled lazily. Leaving the loop early cancels what is in flight and stops pulling.
   */
  executeStream<T extends SkillTask>(
    tasks: Iterable<T> | AsyncIterable<T>,
    options: StreamOptions = {},
  ): AsyncGenerator<TaskOutcome<T>, void, undefined> {
    let concurrency: number;
    try {
      const iterable = tasks as Partial<Iterable<T> & AsyncIterable<T>> | null | undefined;
      if (
        typeof iterable?.[Symbol.iterator] !== 'function' &&
        typeof iterable?.[Symbol.asyncIterator] !== 'function'
      ) {
        throw new TypeError(
          `tasks must be an iterable or async iterable of tasks, got ${describeValue(tasks)}`,
        );
      }
      concurrency = this.#concurrencyOf(options);
    } catch (error) {
      // The error surfaces where the caller iterates, like any other failure of the stream.
      return (async function* refuse(): AsyncGenerator<TaskOutcome<T>, void, undefined> {
        throw error;
      })();
    }
    // An endless source would otherwise keep yielding rejections after close().
    return streamTasks<T>(
      tasks,
      this.#runTask,
      concurrency,
      options.ordered ?? false,
      this.#withClose(options.signal),
    );
  }

  /** Starts a background task and returns its id at once; follow it with `getTask`/`waitFor` or events. */
  submit(skill: string, input?: unknown, options: Omit<ExecuteOptions, 'signal'> = {}): string {
    if (this.#state === 'closing' || this.#state === 'closed') throw this.#closedError();
    const run: BackgroundRun = (signal, onStart) => this.#call(skill, input, { ...options, signal }, onStart);
    return this.#tasks.submit(skill, run);
  }

  /** A background task's state and result, or `undefined` if unknown (or dropped from history). */
  getTask(id: string): TaskInfo | undefined {
    return this.#tasks.get(id);
  }

  /** Resolves with a background task's result, or rejects with its error (`TaskNotFoundError` if unknown). */
  waitFor(id: string, options: { readonly signal?: AbortSignal } = {}): Promise<ExecuteResult> {
    return this.#tasks.waitFor(id, options.signal);
  }

  /** Cancels a queued or running background task; false if it is unknown or finished. */
  cancelTask(id: string, reason?: unknown): boolean {
    return this.#tasks.cancel(id, reason);
  }

  /** Ids of the unfinished background tasks, and the concurrency limit. */
  getTaskStatus(): { running: string[]; queued: string[]; maxConcurrent: number } {
    return { ...this.#tasks.status(), maxConcurrent: this.#options.maxConcurrentSkills };
  }

  /** Every skill that loads, by name (broken ones are left out: `getSkill` tells why). */
  async listSkills(): Promise<SkillInfo[]> {
    await this.#openRegistry();
    return this.#registry.list();
  }

  /** One skill's description; rejects with `SkillNotFoundError` or `InvalidSkillError`. */
  async getSkill(name: string): Promise<SkillInfo> {
    await this.#openRegistry();
    return (await this.#registry.get(name)).info;
  }

  /** Reading skills needs `skillsDir`, not workers: no Python process is started for it. */
  #openRegistry(): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return Promise.reject(this.#closedError());
    this.#registryOpened ??= this.#registry.open();
    return this.#registryOpened;
  }

  /** A plain, JSON-serialisable snapshot of every counter. */
  stats(): FrameworkStats {
    const skills: Record<string, ReturnType<SkillMetrics['snapshot']>> = {};
    for (const [name, runtime] of this.#runtimes) skills[name] = runtime.metrics.snapshot();
    const breakers: Record<string, CircuitState> = { ...(this.#breakers?.states() ?? {}) };
    return {
      state: this.#state,
      executor: this.#executor.stats(),
      cache: this.#registry.stats() ?? null,
      breakers,
      pool: this.#pool.stats(),
      skills,
      code: this.#codeMetrics.snapshot(),
    };
  }

  /**
   * Stops taking work, rejects queued calls with `FrameworkClosedError`, lets running calls
   * finish for up to `timeoutMs`, then closes the pool (calls still running reject with
   * `FrameworkClosedError`). Resolves when every call has settled and no worker, timer or
   * listener of ours remains. Idempotent.
   */
  close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed === undefined) {
      let timeoutMs: number;
      try {
        timeoutMs = closeTimeoutOf(options);
      } catch (error) {
        return Promise.reject(error);
      }
      this.#closed = this.#close(timeoutMs);
    }
    return this.#closed;
  }

  #concurrencyOf(options: { readonly concurrency?: number }): number {
    const concurrency = options.concurrency ?? this.#options.maxConcurrentSkills;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      throw new TypeError(`concurrency must be an integer >= 1, got ${describeValue(concurrency)}`);
    }
    return concurrency;
  }

  readonly #runTask = (task: SkillTask, signal: AbortSignal | undefined): Promise<ExecuteResult> =>
    typeof task !== 'object' || task === null
      ? Promise.reject(
          new TypeError(`each task must be an object { skill, input }, got ${describeValue(task)}`),
        )
      : this.#call(
          task.skill,
          task.input,
          { priority: task.priority, timeoutMs: task.timeoutMs, signal },
          undefined,
        );

  #call(
    skill: string,
    input: unknown,
    options: ExecuteOptions | undefined,
    onStart: (() => void) | undefined,
  ) {
    if (this.#state === 'started') {
      const loaded = this.#registry.peek(skill);
      if (loaded !== undefined) return this.#dispatch(loaded, input, options, onStart);
    }
    return this.#afterStart(async () => {
      const loaded = await this.#registry.get(skill, options?.signal);
      return this.#dispatch(loaded, input, options, onStart);
    });
  }

  /** The warm path: everything here is synchronous until the pool is called. */
  #dispatch(
    loaded: LoadedSkill,
    input: unknown,
    options: ExecuteOptions | undefined,
    onStart: (() => void) | undefined,
  ): Promise<ExecuteResult> {
    const runtime = this.#runtime(loaded.info.name);
    const timeoutMs = loaded.info.timeout ?? this.#options.taskTimeoutMs;
    let call: CallOptions;
    let params: Record<string, unknown>;
    try {
      // Most calls pass no options: they share one frozen CallOptions per skill.
      call =
        options === undefined && onStart === undefined
          ? runtime.defaultCall.timeoutMs === timeoutMs
            ? runtime.defaultCall
            : (runtime.defaultCall = checkCallOptions(undefined, timeoutMs, undefined))
          : checkCallOptions(options, timeoutMs, onStart);
      params = loaded.validate(input);
    } catch (error) {
      return Promise.reject(error);
    }
    runtime.metrics.calls++;
    const { breaker } = runtime;
    if (breaker === undefined) return this.#attempt(loaded, params, call, runtime, 1, call.signal);
    const { signal } = call;
    if (signal === undefined) {
      return breaker.execute(() => this.#attempt(loaded, params, call, runtime, 1, undefined));
    }
    return breaker.execute((context) => this.#attempt(loaded, params, call, runtime, 1, context.signal), {
      signal,
    });
  }

  /** One attempt: a queue slot, then a worker. Retries happen inside the breaker's call. */
  #attempt(
    loaded: LoadedSkill,
    params: Record<string, unknown>,
    call: CallOptions,
    runtime: SkillRuntime,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteResult> {
    return this.#executor.runOwned(
      () => this.#inPool(loaded, params, call, runtime, attempt, signal),
      call.priority,
      signal,
    );
  }

  #inPool(
    loaded: LoadedSkill,
    params: Record<string, unknown>,
    call: CallOptions,
    runtime: SkillRuntime,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteResult> {
    call.onStart?.();
    const { info } = loaded;
    const task = { path: info.entry, fn: info.function, params, timeoutMs: call.timeoutMs };
    // The warm path's only reaction of ours: it frees the queue slot (runOwned), counts, and
    // builds the result. Every promise and closure per call shows up in GC time when thousands
    // of calls are in flight.
    return this.#pool.run(task, signal === undefined ? undefined : { signal }).then(
      (r) => {
        this.#executor.release(true);
        // The worker's own measure: what the skill costs, without transport or queueing, and no
        // clock reads of ours on the warm path.
        runtime.metrics.record(r.durationMs);
        runtime.metrics.succeeded++;
        return {
          skill: info.name,
          value: r.value,
          stdout: r.stdout,
          stderr: r.stderr,
          durationMs: r.durationMs,
          attempts: attempt,
          cached: false,
          workerId: r.workerId,
        };
      },
      (error: unknown) => this.#failed(error, loaded, params, call, runtime, attempt, signal),
    );
  }

  /** A failed attempt: free the slot, then retry what is retryable, or count it and rethrow. */
  #failed(
    error: unknown,
    loaded: LoadedSkill,
    params: Record<string, unknown>,
    call: CallOptions,
    runtime: SkillRuntime,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteResult> {
    this.#executor.release(false);
    // Later attempts report to the retry loop of the first one.
    if (attempt > 1) return Promise.reject(error);
    const policy = this.#options.retry;
    if (
      policy.maxAttempts > 1 &&
      !this.#closing.signal.aborted &&
      !signal?.aborted &&
      !isCallerError(error) &&
      policy.isRetryable(error, 1)
    ) {
      return this.#retry(error, loaded, params, call, runtime, signal);
    }
    return Promise.reject(this.#count(error, runtime, signal));
  }

  async #retry(
    error: unknown,
    loaded: LoadedSkill,
    params: Record<string, unknown>,
    call: CallOptions,
    runtime: SkillRuntime,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteResult> {
    const policy = this.#options.retry;
    // Backoffs end at once on close() too: they hold no queue slot that close() could reclaim.
    const stop =
      signal === undefined ? this.#closing.signal : AbortSignal.any([signal, this.#closing.signal]);
    try {
      // retry() makes the first call itself; replaying the failure we already have as that
      // first attempt lets it apply its backoff before attempt 2, and its rules after that.
      return await retry(
        ({ attempt }) => {
          if (attempt === 1) throw error;
          runtime.metrics.retries++;
          return this.#attempt(loaded, params, call, runtime, attempt, signal);
        },
        // The replayed failure was judged retryable already: do not ask isRetryable twice.
        {
          ...policy,
          signal: stop,
          isRetryable: (e, n) => (n === 1 && e === error) || policy.isRetryable(e, n),
        },
      );
    } catch (last) {
      throw this.#count(last, runtime, signal);
    }
  }

  /** Counts a failure that reached the pool and returns the error to throw. */
  #count(error: unknown, runtime: SkillRuntime, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted && error === signal.reason) runtime.metrics.cancelled++;
    else if (!isFrameworkClosedError(error) && !isPoolClosedError(error)) runtime.metrics.failed++;
    return this.#translate(error);
  }

  /** Errors caused by our own shutdown become `FrameworkClosedError`, with the original as cause. */
  #translate(error: unknown): unknown {
    if (this.#state !== 'closing' && this.#state !== 'closed') return error;
    if (isFrameworkClosedError(error)) return error;
    if (isPoolClosedError(error) || isBreakerShutdownError(error) || error === this.#closing.signal.reason) {
      return this.#closedError(error);
    }
    return error;
  }

  /** `signal`, also aborted by `close()` (with `FrameworkClosedError`). One per batch or stream, not per call. */
  #withClose(signal: AbortSignal | undefined): AbortSignal {
    return signal === undefined ? this.#closing.signal : AbortSignal.any([signal, this.#closing.signal]);
  }

  #runtime(name: string): SkillRuntime {
    let runtime = this.#runtimes.get(name);
    if (runtime === undefined) {
      const metrics = new SkillMetrics();
      const breaker = this.#breakers?.get(name);
      // Rejections by an open circuit never reach our code otherwise; shutdown() removes this.
      breaker?.on('reject', () => metrics.rejected++);
      runtime = {
        metrics,
        breaker,
        defaultCall: checkCallOptions(undefined, this.#options.taskTimeoutMs, undefined),
      };
      this.#runtimes.set(name, runtime);
    }
    return runtime;
  }

  #afterStart<T>(then: () => Promise<T>): Promise<T> {
    if (this.#state === 'started') return then();
    return this.start().then(then, (error: unknown) => {
      throw this.#state === 'closing' || this.#state === 'closed' ? this.#closedError(error) : error;
    });
  }

  async #start(): Promise<void> {
    this.#state = 'starting';
    try {
      await this.#openRegistry();
      await this.#pool.start();
      if (this.#options.enablePreloading) await this.#preload(this.#options.preloadList);
      if (this.#state === 'starting') this.#state = 'started';
    } catch (error) {
      this.#startError = error;
      void this.close();
      throw error;
    }
  }

  /** Loads the listed skills and has every worker import them; a skill that fails is a warning. */
  async #preload(names: readonly string[]): Promise<void> {
    const loaded = await Promise.allSettled(names.map((name) => this.#registry.get(name)));
    const paths: string[] = [];
    for (const [i, outcome] of loaded.entries()) {
      if (outcome.status === 'fulfilled') paths.push(outcome.value.info.entry);
      else warn(`preloadList: skill "${names[i]}" was not preloaded`, outcome.reason);
    }
    if (paths.length === 0) return;
    try {
      await this.#pool.preload(paths);
    } catch (error) {
      // An import that fails here fails again on the skill's first call, where it is reported.
      warn('preloadList: the workers could not import the preloaded skills', error);
    }
  }

  async #close(timeoutMs: number): Promise<void> {
    const wasStarting = this.#starting;
    this.#state = 'closing';
    const closed = this.#closedError();
    this.#closing.abort(closed);
    this.#executor.close(closed);
    await wasStarting?.catch(() => undefined);
    await settleWithin(this.#executor.onIdle(), timeoutMs);
    try {
      await this.#pool.close({ timeoutMs });
    } finally {
      await this.#executor.onIdle();
      this.#breakers?.shutdown();
      this.#breakers?.removeAllListeners();
      this.#registry.clear();
      this.#state = 'closed';
    }
  }

  #closedError(cause?: unknown): FrameworkClosedError {
    const reason = this.#startError ?? cause;
    const message =
      this.#startError === undefined
        ? 'The framework is closed'
        : 'The framework failed to start and is closed';
    return new FrameworkClosedError(message, reason === undefined ? undefined : { cause: reason });
  }

  #createBreakers(o: ResolvedOptions): BreakerRegistry {
    const breakers = new BreakerRegistry({
      defaults: {
        failureThreshold: o.circuitBreakerThreshold,
        resetTimeout: o.circuitBreakerTimeout,
        // Overload and shutdown say nothing about the skill's health.
        isFailure: (e) =>
          defaultIsFailure(e) &&
          !isQueueFullError(e) &&
          !isFrameworkClosedError(e) &&
          !isPoolClosedError(e) &&
          !isAcquireTimeoutError(e),
      },
    });
    breakers.on('open', (skill, info) =>
      this.emit('circuitOpen', { skill, trigger: info.trigger, error: info.error }),
    );
    breakers.on('halfOpen', (skill) => this.emit('circuitHalfOpen', { skill }));
    breakers.on('close', (skill) => this.emit('circuitClose', { skill }));
    return breakers;
  }
}

function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

function warn(message: string, cause: unknown): void {
  const detail = cause instanceof Error ? cause.message : String(cause);
  process.emitWarning(`${message}: ${detail}`, { type: 'MCPExecWarning', code: 'MCP_EXEC_PRELOAD' });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
