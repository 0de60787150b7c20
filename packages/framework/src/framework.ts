import { EventEmitter } from 'node:events';
import { type BreakerRegistry, type CircuitState, isBreakerShutdownError } from '@mcp-exec/circuit-breaker';
import { isPoolClosedError, PythonPool } from '@mcp-exec/process-pool';
import { type BackgroundRun, BackgroundTasks, type TaskInfo } from './background/background-tasks.js';
import { closeTimeoutOf } from './call-options.js';
import { createSkillBreakers } from './calls/skill-breakers.js';
import { SkillCalls } from './calls/skill-calls.js';
import { FrameworkClosedError, isFrameworkClosedError } from './errors.js';
import type { FrameworkEvents } from './events.js';
import { Executor } from './executor/executor.js';
import type { MCPCodeExecutionFrameworkOptions } from './options.js';
import { runParallel } from './parallel/run-parallel.js';
import { streamTasks } from './parallel/stream-tasks.js';
import { type ResolvedOptions, resolveOptions } from './resolve-options.js';
import type { SkillInfo } from './skills/skill-loader.js';
import { SkillRegistry } from './skills/skill-registry.js';
import type { FrameworkStats } from './stats/framework-stats.js';
import type {
  CloseOptions,
  CodeOptions,
  CodeResult,
  ExecuteOptions,
  ExecuteResult,
  ParallelOptions,
  SkillTask,
  StreamOptions,
  TaskOutcome,
  WaitOptions,
} from './types.js';
import { describeValue } from './util/describe-value.js';
import { linkSignal } from './util/linked-signal.js';
import { settleWithin } from './util/settle-within.js';
import { warn } from './util/warn.js';
import { withSignal } from './util/with-signal.js';

type State = 'idle' | 'starting' | 'started' | 'closing' | 'closed';

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
  readonly #calls: SkillCalls;
  /** Aborted by `close()`: ends retry backoffs, which hold no queue slot. */
  readonly #closing = new AbortController();
  #state: State = 'idle';
  #starting: Promise<void> | undefined;
  #registryOpened: Promise<void> | undefined;
  readonly #loading = new Set<Promise<unknown>>();
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
    this.#calls = new SkillCalls({
      pool: this.#pool,
      executor: this.#executor,
      breakers: this.#breakers,
      retry: o.retry,
      taskTimeoutMs: o.taskTimeoutMs,
      closing: this.#closing.signal,
      translate: (error) => this.#translate(error),
    });
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
  start(options: WaitOptions = {}): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return Promise.reject(this.#closedError());
    this.#starting ??= this.#start();
    return withSignal(this.#starting, options.signal);
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
    return this.#calls.runCode<T>(source, options);
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
    return this.#stream(tasks, options);
  }

  /** A generator, so that a bad argument surfaces where the caller iterates. */
  async *#stream<T extends SkillTask>(
    tasks: Iterable<T> | AsyncIterable<T>,
    options: StreamOptions,
  ): AsyncGenerator<TaskOutcome<T>, void, undefined> {
    const iterable = tasks as Partial<Iterable<T> & AsyncIterable<T>> | null | undefined;
    if (
      typeof iterable?.[Symbol.iterator] !== 'function' &&
      typeof iterable?.[Symbol.asyncIterator] !== 'function'
    ) {
      throw new TypeError(
        `tasks must be an iterable or async iterable of tasks, got ${describeValue(tasks)}`,
      );
    }
    const concurrency = this.#concurrencyOf(options);
    // With close()'s signal: an endless source would otherwise keep yielding rejections.
    yield* streamTasks<T>(
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
  waitFor(id: string, options: WaitOptions = {}): Promise<ExecuteResult> {
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
  listSkills(options: WaitOptions = {}): Promise<SkillInfo[]> {
    return withSignal(
      this.#openRegistry().then(() => this.#registry.list()),
      options.signal,
    );
  }

  /** One skill's description; rejects with `SkillNotFoundError` or `InvalidSkillError`. */
  getSkill(name: string, options: WaitOptions = {}): Promise<SkillInfo> {
    return withSignal(
      this.#openRegistry()
        .then(() => this.#registry.get(name))
        .then((skill) => skill.info),
      options.signal,
    );
  }

  /** Reading skills needs `skillsDir`, not workers: no Python process is started for it. */
  #openRegistry(): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return Promise.reject(this.#closedError());
    this.#registryOpened ??= this.#registry.open();
    return this.#registryOpened;
  }

  /** A plain, JSON-serialisable snapshot of every counter. */
  stats(): FrameworkStats {
    const breakers: Record<string, CircuitState> = { ...(this.#breakers?.states() ?? {}) };
    return {
      state: this.#state,
      executor: this.#executor.stats(),
      cache: this.#registry.stats() ?? null,
      breakers,
      pool: this.#pool.stats(),
      skills: this.#calls.skillStats(),
      code: this.#calls.codeStats(),
    };
  }

  /**
   * Stops taking work, rejects queued calls with `FrameworkClosedError`, lets running calls
   * finish for up to `timeoutMs`, then closes the pool (calls still running reject with
   * `FrameworkClosedError`). Resolves when every call has settled and no worker, timer or
   * listener of ours remains. Idempotent.
   */
  close(options: CloseOptions = {}): Promise<void> {
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

  /** The warm path is synchronous up to the pool: a loaded skill is taken from the cache. */
  #call(
    skill: string,
    input: unknown,
    options: ExecuteOptions | undefined,
    onStart: (() => void) | undefined,
  ): Promise<ExecuteResult> {
    if (this.#state === 'started') {
      const loaded = this.#registry.peek(skill);
      if (loaded !== undefined) return this.#calls.run(loaded, input, options, onStart);
    }
    const call = this.#afterStart(async () => {
      const loaded = await this.#registry.get(skill, options?.signal);
      return this.#calls.run(loaded, input, options, onStart);
    });
    // Calls still reading their skill hold no queue slot; close() waits for them by this set.
    this.#loading.add(call);
    const done = (): void => {
      this.#loading.delete(call);
    };
    call.then(done, done);
    return call;
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
      else warn('MCP_EXEC_PRELOAD', `preloadList: skill "${names[i]}" was not preloaded`, outcome.reason);
    }
    if (paths.length === 0) return;
    try {
      await this.#pool.preload(paths);
    } catch (error) {
      // An import that fails here fails again on the skill's first call, where it is reported.
      warn('MCP_EXEC_PRELOAD', 'preloadList: the workers could not import the preloaded skills', error);
    }
  }

  async #close(timeoutMs: number): Promise<void> {
    const wasStarting = this.#starting;
    this.#state = 'closing';
    const closed = this.#closedError();
    this.#closing.abort(closed);
    this.#executor.close(closed);
    const deadline = performance.now() + timeoutMs;
    await wasStarting?.catch(() => undefined);
    await settleWithin(this.#executor.onIdle(), timeoutMs);
    try {
      await this.#pool.close({ timeoutMs: Math.max(0, Math.round(deadline - performance.now())) });
    } finally {
      await this.#executor.onIdle();
      await Promise.allSettled([...this.#loading]);
      // A call whose worker answered may still be a few promise reactions (breaker, retry) from
      // settling: let them run before the breakers shut down and close() resolves.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.#breakers?.shutdown();
      this.#breakers?.removeAllListeners();
      this.#registry.close();
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
    const breakers = createSkillBreakers(o.circuitBreakerThreshold, o.circuitBreakerTimeout);
    breakers.on('open', (skill, info) =>
      this.emit('circuitOpen', { skill, trigger: info.trigger, error: info.error }),
    );
    breakers.on('halfOpen', (skill) => this.emit('circuitHalfOpen', { skill }));
    breakers.on('close', (skill) => this.emit('circuitClose', { skill }));
    return breakers;
  }
}
