import { EventEmitter } from 'node:events';
import { access } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { Batcher, type BatchResult } from '@mcp-exec/ipc-batch';
import { createPool, type Pool } from 'generic-pool';
import { Backoff } from './backoff.js';
import { AcquireTimeoutError, isAcquireTimeoutError } from './errors/acquire-timeout-error.js';
import { PoolClosedError } from './errors/pool-closed-error.js';
import type { WorkerExit } from './errors/worker-crashed-error.js';
import { isWorkerStartError, WorkerStartError } from './errors/worker-start-error.js';
import type { PythonPoolEvents, WorkerExitReason } from './events.js';
import {
  describe,
  MAX_TIMER_MS,
  type PythonPoolOptions,
  type ResolvedPoolOptions,
  resolvePoolOptions,
  timeoutOption,
} from './options.js';
import { resolvePython } from './resolve-python.js';
import { PoolCounters, type PythonPoolStats } from './stats.js';
import { Task } from './task.js';
import type {
  CloseOptions,
  RunCodeOptions,
  RunOptions,
  RunRequest,
  RunResult,
  WaitOptions,
} from './types.js';
import { withSignal } from './with-signal.js';
import { Worker, type WorkerConfig } from './worker.js';
import { workerEnv } from './worker-env.js';

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
/**
 * Batches a worker may hold at once: while it runs one, the next waits in its pipe, so it does not
 * idle while Node reads its results and sends more. Only for workers whose batches are quick.
 */
const PIPELINE_DEPTH = 2;
/** A batch that takes longer than this makes its worker slow: nothing is queued behind it. */
const QUICK_BATCH_MS = 5;

function ignore(): void {}

/**
 * A pool of long-lived Python workers. Calls made together travel to a worker together (one
 * pipe write per batch); each settles as soon as its own result line arrives.
 *
 * @example
 * const pool = new PythonPool({ maxWorkers: 2 });
 * await pool.start();
 * const { value } = await pool.run({ path: './skills/add.py', fn: 'add', params: { a: 1, b: 2 } });
 * await pool.close();
 */
export class PythonPool extends EventEmitter<PythonPoolEvents> {
  readonly #options: ResolvedPoolOptions;
  readonly #env: Record<string, string>;
  readonly #counters = new PoolCounters();
  readonly #workers = new Set<Worker>();
  readonly #starting = new Set<Worker>();
  readonly #preloads = new Set<string>();
  readonly #paths = new Map<string, string>();
  /** Function names already checked: a Unicode regex per call is not free. */
  readonly #functionNames = new Set<unknown>();
  /** Workers leased from generic-pool, and how many batches each holds (see PIPELINE_DEPTH). */
  readonly #leases = new Map<Worker, number>();
  /** Leased workers a sweep found idle: the next sweep gives them back. */
  readonly #idleLeases = new Set<Worker>();
  #sweepScheduled = false;
  readonly #backoff = new Backoff();
  /** Aborted when the pool stops waiting for anything: creates and leases give up at once. */
  readonly #halt = new AbortController();
  readonly #pool: Pool<Worker>;
  readonly #batcher: Batcher<Task, RunResult>;
  #executable: Promise<string> | undefined;
  #lastStartError: { error: WorkerStartError; at: number } | undefined;
  readonly #startWaiters = new Set<(error: Error) => void>();
  readonly #creating = new Set<Promise<Worker>>();
  #started: Promise<void> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #nextTaskId = 0;
  #nextWorkerId = 0;

  constructor(options: PythonPoolOptions = {}) {
    super();
    const o = resolvePoolOptions(options);
    this.#options = o;
    this.#env = workerEnv(process.env, o.inheritEnv, o.env);
    this.#pool = createPool<Worker>(
      { create: () => this.#createWorker(), destroy: (worker) => this.#destroyWorker(worker) },
      {
        min: o.minWorkers,
        max: o.maxWorkers,
        acquireTimeoutMillis: o.acquireTimeoutMs,
        autostart: false,
        // Most recently used first: a warm worker keeps the load, the others may go idle.
        fifo: false,
        // generic-pool's hard idleTimeoutMillis evicts below `min` (and respawns at once); the
        // soft one keeps `min` workers.
        softIdleTimeoutMillis: o.idleTimeoutMs,
        idleTimeoutMillis: Number.POSITIVE_INFINITY,
        evictionRunIntervalMillis: Math.min(Math.max(Math.round(o.idleTimeoutMs / 4), 50), 5_000),
        numTestsPerEvictionRun: o.maxWorkers,
      },
    );
    this.#batcher = new Batcher<Task, RunResult>(this.#flush, {
      maxBatchSize: o.maxBatchSize,
      maxDelayMs: o.maxDelayMs,
      maxConcurrency: o.maxWorkers * PIPELINE_DEPTH,
    });
  }

  /**
   * Resolves the interpreter, spawns `minWorkers` workers and resolves once each has answered a
   * ping. Rejects with `WorkerStartError` as soon as a worker cannot start. Optional: `run()`
   * starts the pool lazily, but `start()` surfaces a bad configuration at once.
   */
  start(options: WaitOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    this.#started ??= this.#startNow().catch((error: unknown) => {
      this.#started = undefined; // a later start() tries again
      throw error;
    });
    return withSignal(this.#started, options.signal);
  }

  /**
   * Runs `fn(**params)` from the Python file at `path` in a worker.
   * @example const { value, stdout } = await pool.run({ path: '/skills/echo.py', params: { text: 'hi' } });
   */
  run<T = unknown>(request: RunRequest, options: RunOptions = {}): Promise<RunResult<T>> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    let task: Task;
    try {
      task = this.#skillTask(request, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#batcher.add(task, options) as Promise<RunResult<T>>;
  }

  /**
   * Runs a snippet in a fresh namespace where `input` is bound, and resolves with the value of
   * its variable `result` (`null` if unset). Top-level `await` is allowed.
   * @example await pool.runCode('result = sum(input)', { input: [1, 2, 3] }); // value 6
   */
  runCode<T = unknown>(source: string, options: RunCodeOptions = {}): Promise<RunResult<T>> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    if (typeof source !== 'string') {
      return Promise.reject(new TypeError(`source must be a string, got ${describe(source)}`));
    }
    let timeoutMs: number;
    try {
      timeoutMs = this.#timeout(options.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const defaultMs = this.#options.taskTimeoutMs;
    const fields = { source, input: options.input };
    const task = Task.of(++this.#nextTaskId, 'code', fields, timeoutMs, defaultMs, options.signal);
    return this.#batcher.add(task, options) as Promise<RunResult<T>>;
  }

  /**
   * Imports the modules at `paths` in every live worker, and in every worker started later.
   * Rejects with the first import error (a `PythonError`); paths that fail are not kept.
   */
  async preload(paths: readonly string[], options: WaitOptions = {}): Promise<void> {
    if (this.#closed) throw new PoolClosedError();
    if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || p === '')) {
      throw new TypeError(`paths must be an array of file paths, got ${describe(paths)}`);
    }
    const absolute = paths.map((p) => resolvePath(p));
    await Promise.all(absolute.map((p) => access(p)));
    const imports: Promise<unknown>[] = [];
    for (const worker of this.#workers) {
      if (worker.usable && !this.#starting.has(worker)) imports.push(this.#preloadIn(worker, absolute));
    }
    for (const path of absolute) this.#preloads.add(path);
    try {
      await withSignal(Promise.all(imports), options.signal);
    } catch (error) {
      for (const path of absolute) this.#preloads.delete(path);
      throw error;
    }
  }

  /** A plain, JSON-serialisable snapshot of the pool. */
  stats(): PythonPoolStats {
    const c = this.#counters;
    let idle = 0;
    let busy = 0;
    for (const worker of this.#workers) {
      if (!worker.alive || this.#starting.has(worker)) continue;
      if (worker.busy) busy++;
      else idle++;
    }
    const starting = this.#starting.size;
    return {
      workers: { total: idle + busy + starting, idle, busy, starting },
      queued: this.#batcher.stats().queued,
      tasksRun: c.tasksRun,
      succeeded: c.succeeded,
      failures: { ...c.failures },
      crashes: c.crashes,
      timeoutKills: c.timeoutKills,
      recycles: c.recycles,
      evictions: c.evictions,
      redispatched: c.redispatched,
      batches: c.batches,
      meanBatchSize: c.batches === 0 ? 0 : c.batchedTasks / c.batches,
      spawns: {
        started: c.spawned,
        failed: c.spawnFailures,
        meanMs: c.spawned === 0 ? 0 : c.spawnMsTotal / c.spawned,
        lastMs: c.lastSpawnMs,
      },
    };
  }

  /**
   * Stops accepting calls (they reject with `PoolClosedError`), lets queued and running tasks
   * finish for up to `timeoutMs`, then kills what is left (those tasks fail with
   * `PoolClosedError`) and resolves once every worker process is gone.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closing === undefined) {
      const timeoutMs = options.timeoutMs ?? 5_000;
      if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_TIMER_MS) {
        return Promise.reject(
          new TypeError(
            `timeoutMs must be an integer between 0 and ${MAX_TIMER_MS}, got ${describe(timeoutMs)}`,
          ),
        );
      }
      this.#closed = true;
      this.#closing = this.#closeNow(timeoutMs);
    }
    return this.#closing;
  }

  // -- calls -------------------------------------------------------------------------------------

  #skillTask(request: RunRequest, signal: AbortSignal | undefined): Task {
    if (typeof request !== 'object' || request === null) {
      throw new TypeError(`request must be an object, got ${describe(request)}`);
    }
    const { path, fn, params } = request;
    if (typeof path !== 'string' || path === '') {
      throw new TypeError(`path must be a non-empty string, got ${describe(path)}`);
    }
    if (fn !== undefined && !this.#functionNames.has(fn)) {
      if (typeof fn !== 'string' || !IDENTIFIER.test(fn)) {
        throw new TypeError(`fn must be a Python identifier, got ${describe(fn)}`);
      }
      if (this.#functionNames.size >= 1_000) this.#functionNames.clear();
      this.#functionNames.add(fn);
    }
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      throw new TypeError(`params must be a plain object, got ${describe(params)}`);
    }
    const timeoutMs = this.#timeout(request.timeoutMs);
    const defaultMs = this.#options.taskTimeoutMs;
    return Task.skill(++this.#nextTaskId, this.#absolute(path), fn, params, timeoutMs, defaultMs, signal);
  }

  /** path.resolve costs about as much as the rest of a call: remember the few paths in use. */
  #absolute(path: string): string {
    let absolute = this.#paths.get(path);
    if (absolute === undefined) {
      absolute = resolvePath(path);
      if (this.#paths.size >= 1_000) this.#paths.clear();
      this.#paths.set(path, absolute);
    }
    return absolute;
  }

  #timeout(value: number | undefined): number {
    return value === undefined ? this.#options.taskTimeoutMs : timeoutOption('timeoutMs', value);
  }

  /** The batcher's flush: one worker for the whole batch. */
  readonly #flush = (tasks: readonly Task[]): Promise<readonly BatchResult<RunResult>[]> => {
    // Each task is a thenable that settles when its own result line arrives.
    const results = tasks as unknown as readonly PromiseLike<RunResult>[];
    const quick = this.#quickWorker();
    if (quick !== undefined) {
      this.#dispatch(quick, tasks);
      return Promise.resolve(results);
    }
    return this.#lease().then(
      (worker) => {
        // Callers that aborted while the batch waited for a worker: their tasks are not sent.
        // (Their own signals are checked: the batcher creates context.signal only on demand.)
        const live = withoutAborted(tasks);
        if (live.length === 0) this.#giveBack(worker);
        else this.#dispatch(worker, live);
        return results;
      },
      (error: unknown) => tasks.map(() => this.#leaseFailure(error)),
    );
  };

  /**
   * A leased worker that can take this batch at once, without generic-pool: one that is idle
   * (its lease is kept for a turn of the event loop, see #sweep), else, when no worker idles in
   * the pool, the least loaded one whose batches are quick and that holds fewer than
   * PIPELINE_DEPTH. None while a batch waits in generic-pool: it goes first, in order.
   */
  #quickWorker(): Worker | undefined {
    if (this.#leases.size === 0 || this.#pool.pending > 0) return undefined;
    const now = performance.now();
    const noneIdle = this.#pool.available === 0;
    let best: Worker | undefined;
    let bestLoad = PIPELINE_DEPTH;
    for (const [worker, load] of this.#leases) {
      if (load >= bestLoad || !worker.usable || worker.tasksRun >= worker.recycleAfter) continue;
      if (load === 0 || (noneIdle && worker.isQuick(now, QUICK_BATCH_MS))) {
        best = worker;
        bestLoad = load;
      }
    }
    return best;
  }

  async #lease(): Promise<Worker> {
    const since = performance.now();
    for (;;) {
      if (this.#halt.signal.aborted) throw new PoolClosedError();
      let worker: Worker;
      try {
        worker = await this.#pool.acquire();
      } catch (error) {
        if (this.#halt.signal.aborted) throw new PoolClosedError();
        const last = this.#lastStartError;
        throw new AcquireTimeoutError(
          this.#options.acquireTimeoutMs,
          last && last.at >= since ? last.error : error,
        );
      }
      if (worker.usable && !this.#halt.signal.aborted) return worker;
      this.#pool.destroy(worker).catch(ignore); // died while idle, or the pool is closing
    }
  }

  #leaseFailure(error: unknown): Error {
    const failures = this.#counters.failures;
    if (error instanceof AcquireTimeoutError) {
      failures.acquireTimeout++;
      return new AcquireTimeoutError(error.timeoutMs, error.cause);
    }
    failures.closed++;
    return error instanceof Error ? error : new PoolClosedError();
  }

  /** Sends a batch to a leased worker; the lease ends when its last batch is done. */
  #dispatch(worker: Worker, tasks: readonly Task[]): void {
    this.#counters.batches++;
    this.#counters.batchedTasks += tasks.length;
    this.#leases.set(worker, (this.#leases.get(worker) ?? 0) + 1);
    this.#idleLeases.delete(worker);
    worker.dispatch(tasks, () => this.#batchDone(worker));
    this.#armWatchdog();
  }

  #batchDone(worker: Worker): void {
    const load = (this.#leases.get(worker) ?? 1) - 1;
    this.#leases.set(worker, load);
    if (load > 0) return;
    const keep = worker.usable && worker.tasksRun < worker.recycleAfter && !this.#halt.signal.aborted;
    if (keep && this.#pool.pending === 0) {
      this.#scheduleSweep(); // the next call of this turn may reuse it without generic-pool
    } else {
      this.#leases.delete(worker);
      this.#giveBack(worker);
    }
  }

  #scheduleSweep(): void {
    if (this.#sweepScheduled) return;
    this.#sweepScheduled = true;
    setImmediate(this.#sweep);
  }

  /**
   * Returns to generic-pool the leased workers idle for a whole turn of the event loop. A worker
   * seen idle by one sweep is kept until the next, so a call made right after the previous one
   * finished (a caller's loop of awaits) reuses it at once.
   */
  readonly #sweep = (): void => {
    this.#sweepScheduled = false;
    for (const [worker, load] of this.#leases) {
      if (load > 0) this.#idleLeases.delete(worker);
      else if (this.#idleLeases.has(worker) || !worker.usable || this.#halt.signal.aborted) {
        this.#idleLeases.delete(worker);
        this.#leases.delete(worker);
        this.#giveBack(worker);
      } else {
        this.#idleLeases.add(worker);
        this.#scheduleSweep();
      }
    }
  };

  /** Returns a worker to the pool after its batch, or replaces it. */
  #giveBack(worker: Worker): void {
    if (worker.usable && worker.tasksRun >= worker.recycleAfter) {
      worker.retiring = true;
      this.#counters.recycles++;
    } else if (worker.retiring && worker.alive && worker.killReason === undefined) {
      this.#counters.recycles++; // after a MemoryError
    }
    if (worker.usable && !this.#halt.signal.aborted) this.#pool.release(worker).catch(ignore);
    else this.#pool.destroy(worker).catch(ignore);
  }

  /** Tasks that never started on a worker that died: they run on another one. */
  readonly #handBack = (tasks: readonly Task[]): void => {
    let again = withoutAborted(tasks);
    if (this.#halt.signal.aborted) {
      for (const task of again) {
        this.#counters.failures.closed++;
        task.reject(new PoolClosedError('The pool was closed before this task started'));
      }
      again = [];
    }
    if (again.length === 0) return;
    this.#counters.redispatched += again.length;
    const quick = this.#quickWorker();
    if (quick !== undefined) {
      this.#dispatch(quick, again);
      return;
    }
    this.#lease().then(
      (worker) => this.#dispatch(worker, again),
      (error: unknown) => {
        for (const task of again) task.reject(this.#leaseFailure(error));
      },
    );
  };

  // -- workers -----------------------------------------------------------------------------------

  async #startNow(): Promise<void> {
    await this.#resolveExecutable();
    this.#pool.start();
    const count = this.#options.minWorkers;
    if (count === 0) return;
    let onFailure: (error: Error) => void = ignore;
    const failed = new Promise<never>((_, reject) => {
      onFailure = reject;
    });
    this.#startWaiters.add(onFailure);
    const since = performance.now();
    const leases = Array.from({ length: count }, () => this.#lease());
    try {
      const workers = await Promise.race([Promise.all(leases), failed]);
      for (const worker of workers) this.#giveBack(worker);
    } catch (error) {
      for (const lease of leases) lease.then((worker) => this.#giveBack(worker), ignore);
      // The lease gave up a moment before the worker it waited for did: report why the worker
      // failed rather than the bare timeout.
      if (isAcquireTimeoutError(error)) await Promise.allSettled(this.#creating);
      const last = this.#lastStartError;
      throw last !== undefined && last.at >= since ? last.error : error;
    } finally {
      this.#startWaiters.delete(onFailure);
    }
  }

  #resolveExecutable(): Promise<string> {
    if (this.#executable === undefined) {
      const pending = resolvePython(this.#options.python, {
        env: this.#env,
        timeoutMs: this.#options.acquireTimeoutMs,
      });
      this.#executable = pending;
      pending.catch(() => {
        if (this.#executable === pending) this.#executable = undefined;
      });
    }
    return this.#executable;
  }

  #workerConfig(executable: string): WorkerConfig {
    const o = this.#options;
    return {
      id: ++this.#nextWorkerId,
      python: o.python,
      executable,
      env: this.#env,
      cwd: o.cwd,
      maxOutputBytes: o.maxOutputBytes,
      maxMessageBytes: o.maxMessageBytes,
      memoryLimitMb: o.memoryLimitMb,
      taskTimeoutMs: o.taskTimeoutMs,
      counters: this.#counters,
      nextTaskId: () => ++this.#nextTaskId,
      handBack: this.#handBack,
      onExit: this.#onWorkerExit,
    };
  }

  /** generic-pool's factory.create, tracked so that `start()` can wait for its outcome. */
  #createWorker(): Promise<Worker> {
    const creating = this.#spawnWorker();
    this.#creating.add(creating);
    const forget = (): void => {
      this.#creating.delete(creating);
    };
    creating.then(forget, forget);
    return creating;
  }

  async #spawnWorker(): Promise<Worker> {
    // Once the pool halts, requests still waiting in generic-pool (it cannot cancel them) get a
    // worker without a process, which the lease discards: they settle now, not at their timeout.
    if (this.#halt.signal.aborted) return Worker.inert(this.#workerConfig(''));
    await this.#backoff.wait(this.#halt.signal);
    if (this.#halt.signal.aborted) return Worker.inert(this.#workerConfig(''));
    const began = performance.now();
    let worker: Worker | undefined;
    try {
      worker = Worker.spawn(this.#workerConfig(await this.#resolveExecutable()));
      this.#workers.add(worker);
      this.#starting.add(worker);
      await worker.ready(this.#options.acquireTimeoutMs);
    } catch (error) {
      const failure = isWorkerStartError(error)
        ? error
        : new WorkerStartError(this.#options.python, String(error), '', error);
      this.#counters.spawnFailures++;
      this.#lastStartError = { error: failure, at: performance.now() };
      this.#backoff.failed();
      for (const reject of this.#startWaiters) reject(failure);
      if (worker !== undefined) {
        worker.kill('stopped');
        await worker.exited;
      }
      throw failure;
    } finally {
      if (worker !== undefined) this.#starting.delete(worker);
    }
    const spawnMs = performance.now() - began;
    const c = this.#counters;
    c.spawned++;
    c.spawnMsTotal += spawnMs;
    c.lastSpawnMs = spawnMs;
    this.#backoff.succeeded();
    const max = this.#options.maxTasksPerWorker;
    worker.recycleAfter = Number.isFinite(max)
      ? Math.max(1, Math.ceil(max * (0.8 + 0.2 * Math.random())))
      : max;
    this.#emitSafely('workerStart', { workerId: worker.id, pid: worker.pid ?? 0, startMs: spawnMs });
    if (this.#preloads.size > 0) {
      this.#preloadIn(worker, [...this.#preloads]).catch((error: unknown) => {
        this.#emitSafely('preloadError', { workerId: worker.id, error });
      });
    }
    return worker;
  }

  /** generic-pool's factory.destroy: lets the worker finish what it holds, then stops it. */
  async #destroyWorker(worker: Worker): Promise<void> {
    if (worker.usable && !this.#closed) this.#counters.evictions++;
    await worker.stop(this.#options.killGraceMs);
  }

  #preloadIn(worker: Worker, paths: readonly string[]): Promise<unknown> {
    const timeoutMs = this.#options.taskTimeoutMs;
    const tasks = paths.map((path) => Task.of(++this.#nextTaskId, 'preload', { path }, timeoutMs, timeoutMs));
    worker.dispatch(tasks);
    return Promise.all(tasks);
  }

  readonly #onWorkerExit = (worker: Worker, exit: WorkerExit): void => {
    this.#workers.delete(worker);
    let reason: WorkerExitReason;
    if (this.#starting.has(worker)) reason = 'failedStart';
    else if (worker.killReason === 'timeout') reason = 'timeout';
    else if (worker.killReason === 'closed' || (worker.killReason === 'stopped' && this.#closed))
      reason = 'closed';
    else if (worker.killReason === 'stopped') reason = worker.retiring ? 'recycled' : 'idle';
    else reason = 'crashed';
    if (reason === 'crashed') this.#counters.crashes++;
    if (reason === 'timeout') this.#counters.timeoutKills++;
    this.#emitSafely('workerExit', { ...exit, reason });
  };

  /** One unref'd interval, only while tasks run, instead of a timer per task. */
  #armWatchdog(): void {
    if (this.#watchdog !== undefined) return;
    const period = Math.min(Math.max(Math.round(this.#options.killGraceMs / 4), 10), 250);
    this.#watchdog = setInterval(this.#checkDeadlines, period).unref();
  }

  readonly #checkDeadlines = (): void => {
    const now = performance.now();
    let busy = false;
    for (const worker of this.#workers) {
      if (!worker.busy) continue;
      busy = true;
      if (worker.alive && worker.overdue(now, this.#options.killGraceMs)) worker.kill('timeout');
    }
    if (!busy) {
      clearInterval(this.#watchdog);
      this.#watchdog = undefined;
    }
  };

  async #closeNow(timeoutMs: number): Promise<void> {
    const force = setTimeout(() => this.#halt.abort(), timeoutMs);
    this.#halt.signal.addEventListener('abort', this.#killAll, { once: true });
    try {
      await this.#batcher.close();
    } finally {
      clearTimeout(force);
    }
    this.#halt.abort();
    this.#sweep(); // leases kept for reuse go back (and are destroyed: the pool has halted)
    await this.#pool.drain();
    await this.#pool.clear();
    await Promise.all([...this.#workers].map((worker) => worker.exited));
    this.#halt.signal.removeEventListener('abort', this.#killAll);
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  /** Time is up: every worker still running work is killed; its tasks fail with PoolClosedError. */
  readonly #killAll = (): void => {
    for (const worker of this.#workers) {
      if (worker.busy || this.#starting.has(worker)) worker.kill('closed');
    }
  };

  #emitSafely<K extends keyof PythonPoolEvents>(event: K, ...args: PythonPoolEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: PythonPoolEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      // A listener's bug must not break the pool's bookkeeping: report it outside.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/** `tasks` without those whose caller aborted; those are settled with their signal's reason. */
function withoutAborted(tasks: readonly Task[]): readonly Task[] {
  let live: Task[] | undefined;
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    if (task.signal?.aborted) {
      live ??= tasks.slice(0, i);
      task.reject(task.signal.reason);
    } else live?.push(task);
  }
  return live ?? tasks;
}
