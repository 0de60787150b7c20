import { Backoff } from './backoff.js';
import type { WorkerExit } from './errors/worker-crashed-error.js';
import { isWorkerStartError, WorkerStartError } from './errors/worker-start-error.js';
import type { PythonPoolEvents, WorkerExitReason } from './events.js';
import type { ResolvedPoolOptions } from './options.js';
import { resolvePython } from './resolve-python.js';
import type { PoolCounters } from './stats.js';
import { Task } from './task.js';
import { Worker, type WorkerConfig } from './worker.js';

type Emit = <K extends keyof PythonPoolEvents>(event: K, ...args: PythonPoolEvents[K]) => void;

/** What the factory needs from its pool. */
export interface WorkerFactoryConfig {
  readonly options: ResolvedPoolOptions;
  readonly env: Readonly<Record<string, string>>;
  readonly counters: PoolCounters;
  /** Every worker with a process, kept up to date by the factory. */
  readonly workers: Set<Worker>;
  /** Workers spawned that have not answered their first ping yet. */
  readonly starting: Set<Worker>;
  /** Aborted when the pool stops waiting for anything. */
  readonly halt: AbortSignal;
  readonly isClosed: () => boolean;
  readonly nextTaskId: () => number;
  /** Tasks a dead worker never started. */
  readonly handBack: (tasks: readonly Task[]) => void;
  readonly emit: Emit;
}

/**
 * generic-pool's factory for Python workers: resolves the interpreter once, spawns a worker and
 * waits for its first answer, backs off while starts keep failing, imports the preloaded modules
 * in every new worker, and reports starts and exits.
 */
export class WorkerFactory {
  /** Modules every new worker imports (see `PythonPool.preload`). */
  readonly preloads = new Set<string>();
  readonly #config: WorkerFactoryConfig;
  readonly #backoff = new Backoff();
  readonly #creating = new Set<Promise<Worker>>();
  readonly #failureListeners = new Set<(error: WorkerStartError) => void>();
  #executable: Promise<string> | undefined;
  #lastFailure: { error: WorkerStartError; at: number } | undefined;
  #nextWorkerId = 0;

  constructor(config: WorkerFactoryConfig) {
    this.#config = config;
  }

  /** The resolved interpreter; a failure is not kept, so a later call tries again. */
  resolveExecutable(): Promise<string> {
    if (this.#executable === undefined) {
      const { python, acquireTimeoutMs } = this.#config.options;
      const pending = resolvePython(python, { env: this.#config.env, timeoutMs: acquireTimeoutMs });
      this.#executable = pending;
      pending.catch(() => {
        if (this.#executable === pending) this.#executable = undefined;
      });
    }
    return this.#executable;
  }

  /** generic-pool's `create`, tracked so that `start()` can wait for the outcome. */
  readonly create = (): Promise<Worker> => {
    const creating = this.#spawn();
    this.#creating.add(creating);
    const forget = (): void => {
      this.#creating.delete(creating);
    };
    creating.then(forget, forget);
    return creating;
  };

  /** generic-pool's `destroy`: lets the worker finish what it holds, then stops it. */
  readonly destroy = async (worker: Worker): Promise<void> => {
    if (worker.usable && !this.#config.isClosed()) this.#config.counters.evictions++;
    await worker.stop(this.#config.options.killGraceMs);
  };

  /** Calls `listener` with each start failure until the returned function is called. */
  onFailure(listener: (error: WorkerStartError) => void): () => void {
    this.#failureListeners.add(listener);
    return () => this.#failureListeners.delete(listener);
  }

  /** The last start failure after `since` (`performance.now()`). */
  failureSince(since: number): WorkerStartError | undefined {
    const last = this.#lastFailure;
    return last !== undefined && last.at >= since ? last.error : undefined;
  }

  /** Resolves once every start under way has succeeded or failed. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#creating);
  }

  /** Imports `paths` in `worker`, after whatever it is running. */
  preloadIn(worker: Worker, paths: readonly string[]): Promise<unknown> {
    const timeoutMs = this.#config.options.taskTimeoutMs;
    const next = this.#config.nextTaskId;
    const tasks = paths.map((path) => Task.of(next(), 'preload', { path }, timeoutMs, timeoutMs));
    worker.dispatch(tasks);
    return Promise.all(tasks);
  }

  async #spawn(): Promise<Worker> {
    const { halt, options, counters, workers, starting } = this.#config;
    // Once the pool halts, requests still waiting in generic-pool (it cannot cancel them) get a
    // worker without a process, which the lease discards: they settle now, not at their timeout.
    if (halt.aborted) return Worker.inert(this.#workerConfig(''));
    await this.#backoff.wait(halt);
    if (halt.aborted) return Worker.inert(this.#workerConfig(''));
    const began = performance.now();
    let worker: Worker | undefined;
    try {
      worker = Worker.spawn(this.#workerConfig(await this.resolveExecutable()));
      workers.add(worker);
      starting.add(worker);
      await worker.ready(options.acquireTimeoutMs);
    } catch (error) {
      const failure = isWorkerStartError(error)
        ? error
        : new WorkerStartError(options.python, String(error), '', error);
      counters.spawnFailures++;
      this.#lastFailure = { error: failure, at: performance.now() };
      this.#backoff.failed();
      for (const listener of this.#failureListeners) listener(failure);
      if (worker !== undefined) {
        worker.kill('stopped');
        await worker.exited;
      }
      throw failure;
    } finally {
      if (worker !== undefined) starting.delete(worker);
    }
    const startMs = performance.now() - began;
    counters.spawned++;
    counters.spawnMsTotal += startMs;
    counters.lastSpawnMs = startMs;
    this.#backoff.succeeded();
    const max = options.maxTasksPerWorker;
    // Each worker its own limit, so that workers started together do not all restart together.
    worker.recycleAfter = Number.isFinite(max)
      ? Math.max(1, Math.ceil(max * (0.8 + 0.2 * Math.random())))
      : max;
    this.#config.emit('workerStart', { workerId: worker.id, pid: worker.pid ?? 0, startMs });
    if (this.preloads.size > 0) {
      const started = worker;
      this.preloadIn(started, [...this.preloads]).catch((error: unknown) => {
        this.#config.emit('preloadError', { workerId: started.id, error });
      });
    }
    return worker;
  }

  #workerConfig(executable: string): WorkerConfig {
    const { options: o, env, counters, nextTaskId, handBack } = this.#config;
    return {
      id: ++this.#nextWorkerId,
      python: o.python,
      executable,
      env,
      cwd: o.cwd,
      maxOutputBytes: o.maxOutputBytes,
      maxMessageBytes: o.maxMessageBytes,
      memoryLimitMb: o.memoryLimitMb,
      taskTimeoutMs: o.taskTimeoutMs,
      counters,
      nextTaskId,
      handBack,
      onExit: this.#onExit,
    };
  }

  readonly #onExit = (worker: Worker, exit: WorkerExit): void => {
    const { workers, starting, counters } = this.#config;
    workers.delete(worker);
    let reason: WorkerExitReason;
    if (starting.has(worker)) reason = 'failedStart';
    else if (worker.killReason === 'timeout') reason = 'timeout';
    else if (worker.killReason === 'closed' || (worker.killReason === 'stopped' && this.#config.isClosed())) {
      reason = 'closed';
    } else if (worker.killReason === 'stopped') reason = worker.retiring ? 'recycled' : 'idle';
    else reason = 'crashed';
    if (reason === 'crashed') counters.crashes++;
    if (reason === 'timeout') counters.timeoutKills++;
    this.#config.emit('workerExit', { ...exit, reason });
  };
}
