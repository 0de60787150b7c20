import type { BatchResult } from '@mcp-exec/ipc-batch';
import type { Pool } from 'generic-pool';
import { AcquireTimeoutError } from './errors/acquire-timeout-error.js';
import { PoolClosedError } from './errors/pool-closed-error.js';
import type { PoolCounters } from './stats.js';
import type { Task } from './task.js';
import type { RunResult } from './types.js';
import type { Worker } from './worker.js';

/**
 * Batches a worker may hold at once: while it runs one, the next waits in its pipe, so it does not
 * idle while Node reads its results and sends more. Only for workers whose batches are quick.
 */
export const PIPELINE_DEPTH = 2;
/** A batch that takes longer than this makes its worker slow: nothing is queued behind it. */
const QUICK_BATCH_MS = 5;

function ignore(): void {}

/** What the dispatcher needs from its pool. */
export interface DispatcherConfig {
  readonly pool: Pool<Worker>;
  readonly workers: ReadonlySet<Worker>;
  readonly counters: PoolCounters;
  /** Aborted when the pool stops waiting for anything. */
  readonly halt: AbortSignal;
  readonly acquireTimeoutMs: number;
  readonly killGraceMs: number;
  /** The last worker start failure after `since` (`performance.now()`), for acquire timeouts. */
  readonly startErrorSince: (since: number) => Error | undefined;
}

/**
 * Hands batches to workers: leases them from generic-pool, queues a second batch behind a quick
 * one (pipelining), keeps an idle lease for a turn of the event loop, sends the tasks of a dead
 * worker that never started to another one, and kills workers whose task ignores its timeout.
 */
export class Dispatcher {
  readonly #pool: Pool<Worker>;
  readonly #workers: ReadonlySet<Worker>;
  readonly #counters: PoolCounters;
  readonly #halt: AbortSignal;
  readonly #acquireTimeoutMs: number;
  readonly #killGraceMs: number;
  readonly #startErrorSince: (since: number) => Error | undefined;
  /** Workers leased from generic-pool, and how many batches each holds (see PIPELINE_DEPTH). */
  readonly #leases = new Map<Worker, number>();
  /** Leased workers a sweep found idle: the next sweep gives them back. */
  readonly #idleLeases = new Set<Worker>();
  #sweepScheduled = false;
  #watchdog: NodeJS.Timeout | undefined;

  constructor(config: DispatcherConfig) {
    this.#pool = config.pool;
    this.#workers = config.workers;
    this.#counters = config.counters;
    this.#halt = config.halt;
    this.#acquireTimeoutMs = config.acquireTimeoutMs;
    this.#killGraceMs = config.killGraceMs;
    this.#startErrorSince = config.startErrorSince;
  }

  /** Gives every idle lease back now (at close), and stops the deadline checks. */
  stop(): void {
    this.#sweep();
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  /**
   * The batcher's flush. A batch goes to one worker, unless other workers idle: then it is
   * shared out among them, so that a burst of slow (CPU-bound) tasks runs in parallel instead
   * of in line on one worker. Batches form under load, when workers are busy, so a steady
   * stream of quick tasks is rarely split.
   */
  readonly flush = (tasks: readonly Task[]): Promise<readonly BatchResult<RunResult>[]> => {
    // Each task is a thenable that settles when its own result line arrives.
    const results = tasks as unknown as readonly PromiseLike<RunResult>[];
    const ways = tasks.length > 1 ? Math.min(tasks.length, Math.max(1, this.#idleWorkers())) : 1;
    if (ways === 1) {
      this.#send(tasks);
    } else {
      const size = Math.ceil(tasks.length / ways);
      for (let start = 0; start < tasks.length; start += size) this.#send(tasks.slice(start, start + size));
    }
    return Promise.resolve(results);
  };

  /** Workers that could start a batch now: idle in generic-pool, or leased and idle. */
  #idleWorkers(): number {
    let idle = this.#pool.available;
    for (const [worker, load] of this.#leases) if (load === 0 && worker.usable) idle++;
    return idle;
  }

  /** Sends one batch to a worker: a quick one at once, else one leased from generic-pool. */
  #send(tasks: readonly Task[]): void {
    const quick = this.#quickWorker();
    if (quick !== undefined) {
      this.#dispatch(quick, tasks);
      return;
    }
    this.lease().then(
      (worker) => {
        // Callers that aborted while the batch waited for a worker: their tasks are not sent.
        // (Their own signals are checked: the batcher creates context.signal only on demand.)
        const live = withoutAborted(tasks);
        if (live.length === 0) this.giveBack(worker);
        else this.#dispatch(worker, live);
      },
      (error: unknown) => {
        for (const task of tasks) task.reject(this.#leaseFailure(error));
      },
    );
  }

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

  /** A worker from generic-pool, alive and usable; rejects with `AcquireTimeoutError` or `PoolClosedError`. */
  async lease(): Promise<Worker> {
    const since = performance.now();
    for (;;) {
      if (this.#halt.aborted) throw new PoolClosedError();
      let worker: Worker;
      try {
        worker = await this.#pool.acquire();
      } catch (error) {
        if (this.#halt.aborted) throw new PoolClosedError();
        throw new AcquireTimeoutError(this.#acquireTimeoutMs, this.#startErrorSince(since) ?? error);
      }
      if (worker.usable && !this.#halt.aborted) return worker;
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
    const keep = worker.usable && worker.tasksRun < worker.recycleAfter && !this.#halt.aborted;
    if (keep && this.#pool.pending === 0) {
      this.#scheduleSweep(); // the next call of this turn may reuse it without generic-pool
    } else {
      this.#leases.delete(worker);
      this.giveBack(worker);
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
      else if (this.#idleLeases.has(worker) || !worker.usable || this.#halt.aborted) {
        this.#idleLeases.delete(worker);
        this.#leases.delete(worker);
        this.giveBack(worker);
      } else {
        this.#idleLeases.add(worker);
        this.#scheduleSweep();
      }
    }
  };

  /** Returns a worker to the pool after its batch, or replaces it. */
  giveBack(worker: Worker): void {
    if (worker.usable && worker.tasksRun >= worker.recycleAfter) {
      worker.retiring = true;
      this.#counters.recycles++;
    } else if (worker.retiring && worker.alive && worker.killReason === undefined) {
      this.#counters.recycles++; // after a MemoryError
    }
    if (worker.usable && !this.#halt.aborted) this.#pool.release(worker).catch(ignore);
    else this.#pool.destroy(worker).catch(ignore);
  }

  /** Tasks that never started on a worker that died: they run on another one. */
  readonly handBack = (tasks: readonly Task[]): void => {
    let again = withoutAborted(tasks);
    if (this.#halt.aborted) {
      for (const task of again) {
        this.#counters.failures.closed++;
        task.reject(new PoolClosedError('The pool was closed before this task started'));
      }
      again = [];
    }
    if (again.length === 0) return;
    this.#counters.redispatched += again.length;
    this.#send(again);
  };

  /** One unref'd interval, only while tasks run, instead of a timer per task. */
  #armWatchdog(): void {
    if (this.#watchdog !== undefined) return;
    const period = Math.min(Math.max(Math.round(this.#killGraceMs / 4), 10), 250);
    this.#watchdog = setInterval(this.#checkDeadlines, period).unref();
  }

  readonly #checkDeadlines = (): void => {
    const now = performance.now();
    let busy = false;
    for (const worker of this.#workers) {
      if (!worker.busy) continue;
      busy = true;
      if (worker.alive && worker.overdue(now, this.#killGraceMs)) worker.kill('timeout');
    }
    if (!busy) {
      clearInterval(this.#watchdog);
      this.#watchdog = undefined;
    }
  };
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
