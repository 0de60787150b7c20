import { EventEmitter } from 'node:events';
import { access } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { Batcher } from '@mcp-exec/ipc-batch';
import { createPool, type Pool } from 'generic-pool';
import { Dispatcher, PIPELINE_DEPTH } from './dispatcher.js';
import { isAcquireTimeoutError } from './errors/acquire-timeout-error.js';
import { PoolClosedError } from './errors/pool-closed-error.js';
import type { PythonPoolEvents } from './events.js';
import {
  describe,
  MAX_TIMER_MS,
  type PythonPoolOptions,
  type ResolvedPoolOptions,
  resolvePoolOptions,
  timeoutOption,
} from './options.js';
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
import type { Worker } from './worker.js';
import { workerEnv } from './worker-env.js';
import { WorkerFactory } from './worker-factory.js';

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;

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
  readonly #counters = new PoolCounters();
  readonly #workers = new Set<Worker>();
  readonly #starting = new Set<Worker>();
  readonly #paths = new Map<string, string>();
  /** Function names already checked: a Unicode regex per call is not free. */
  readonly #functionNames = new Set<unknown>();
  /** Aborted when the pool stops waiting for anything: creates and leases give up at once. */
  readonly #halt = new AbortController();
  readonly #pool: Pool<Worker>;
  readonly #batcher: Batcher<Task, RunResult>;
  readonly #dispatcher: Dispatcher;
  readonly #factory: WorkerFactory;
  #started: Promise<void> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #nextTaskId = 0;

  constructor(options: PythonPoolOptions = {}) {
    super();
    const o = resolvePoolOptions(options);
    this.#options = o;
    this.#factory = new WorkerFactory({
      options: o,
      env: workerEnv(process.env, o.inheritEnv, o.env),
      counters: this.#counters,
      workers: this.#workers,
      starting: this.#starting,
      halt: this.#halt.signal,
      isClosed: () => this.#closed,
      nextTaskId: () => ++this.#nextTaskId,
      handBack: (tasks) => this.#dispatcher.handBack(tasks),
      emit: (event, ...args) => this.#emitSafely(event, ...args),
    });
    this.#pool = createPool<Worker>(
      { create: this.#factory.create, destroy: this.#factory.destroy },
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
    this.#dispatcher = new Dispatcher({
      pool: this.#pool,
      workers: this.#workers,
      counters: this.#counters,
      halt: this.#halt.signal,
      acquireTimeoutMs: o.acquireTimeoutMs,
      killGraceMs: o.killGraceMs,
      startErrorSince: (since) => this.#factory.failureSince(since),
    });
    this.#batcher = new Batcher<Task, RunResult>(this.#dispatcher.flush, {
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
      if (worker.usable && !this.#starting.has(worker))
        imports.push(this.#factory.preloadIn(worker, absolute));
    }
    for (const path of absolute) this.#factory.preloads.add(path);
    try {
      await withSignal(Promise.all(imports), options.signal);
    } catch (error) {
      for (const path of absolute) this.#factory.preloads.delete(path);
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

  // -- workers -----------------------------------------------------------------------------------

  async #startNow(): Promise<void> {
    await this.#factory.resolveExecutable();
    this.#pool.start();
    const count = this.#options.minWorkers;
    if (count === 0) return;
    let stopListening: () => void = ignore;
    const failed = new Promise<never>((_, reject) => {
      stopListening = this.#factory.onFailure(reject);
    });
    const since = performance.now();
    const leases = Array.from({ length: count }, () => this.#dispatcher.lease());
    try {
      const workers = await Promise.race([Promise.all(leases), failed]);
      for (const worker of workers) this.#dispatcher.giveBack(worker);
    } catch (error) {
      for (const lease of leases) lease.then((worker) => this.#dispatcher.giveBack(worker), ignore);
      // The lease gave up a moment before the worker it waited for did: report why the worker
      // failed rather than the bare timeout.
      if (isAcquireTimeoutError(error)) await this.#factory.settled();
      throw this.#factory.failureSince(since) ?? error;
    } finally {
      stopListening();
    }
  }

  async #closeNow(timeoutMs: number): Promise<void> {
    const force = setTimeout(() => this.#halt.abort(), timeoutMs);
    this.#halt.signal.addEventListener('abort', this.#killAll, { once: true });
    try {
      await this.#batcher.close();
    } finally {
      clearTimeout(force);
    }
    this.#halt.abort();
    this.#dispatcher.stop(); // leases kept for reuse go back (destroyed: the pool has halted)
    await this.#pool.drain();
    await this.#pool.clear();
    await Promise.all([...this.#workers].map((worker) => worker.exited));
    this.#halt.signal.removeEventListener('abort', this.#killAll);
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
