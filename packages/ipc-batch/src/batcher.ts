import { unwatchAbort, watchAbort } from './abort-fan-out.js';
import { Batch, BatchContext, ItemWatcher } from './batch.js';
import {
  type AddOptions,
  type BatcherOptions,
  type BatcherStats,
  type FlushFunction,
  type ResolvedBatcherOptions,
  resolveBatcherOptions,
  type WaitOptions,
} from './batcher-options.js';
import { BatchFlushError } from './errors/batch-flush-error.js';
import { BatcherClosedError } from './errors/batcher-closed-error.js';
import { withoutStack } from './errors/brand.js';
import { QueueFullError } from './errors/queue-full-error.js';
import { IdleWaiters } from './idle-waiters.js';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    // A throwing `then` getter: Promise.resolve() turns it into a rejection of that item.
    return true;
  }
}

function isObject(value: unknown): boolean {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function ignore(): void {}

/**
 * Turns many `add()` calls into few calls of a flush function, without adding latency when the
 * system is idle: a lone item is flushed at the end of the current turn of the event loop, and
 * while every flush slot is busy, new items gather into the next batch.
 *
 * @example
 * const batcher = new Batcher(async (ids: readonly number[]) => db.getMany(ids));
 * const [a, b] = await Promise.all([batcher.add(1), batcher.add(2)]); // one getMany([1, 2])
 */
export class Batcher<I, O> {
  readonly #flush: FlushFunction<I, O>;
  readonly #options: ResolvedBatcherOptions<I>;
  readonly #onItemAbort = (watcher: ItemWatcher): void => this.#itemAborted(watcher);
  readonly #onTimer = (): void => this.#timerFired();

  #head: Batch<I, O> | undefined;
  #tail: Batch<I, O> | undefined;
  /** The queued items have waited long enough: flush them as soon as a slot is free. */
  #due = false;
  #timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  #queued = 0;
  /**
   * Batches holding a slot, as an intrusive doubly linked list rather than a Set: a Set's table
   * is reallocated as it grows and shrinks, and V8 links each discarded table to its successor;
   * once such a table is tenured, that chain kept whole batches alive through young-generation
   * collections and made the batcher 4-5x slower with several flushes in flight.
   */
  #inFlightHead: Batch<I, O> | undefined;
  #inFlightCount = 0;
  #closed = false;
  readonly #idleWaiters = new IdleWaiters();

  #batches = 0;
  #items = 0;
  #largest = 0;

  constructor(flush: FlushFunction<I, O>, options?: BatcherOptions<I>) {
    if (typeof flush !== 'function') {
      throw new TypeError(`flush must be a function, got ${typeof flush}`);
    }
    this.#flush = flush;
    this.#options = resolveBatcherOptions(options);
  }

  /**
   * Queues one item. Resolves with its result, or rejects with the `Error` the flush returned
   * for it, a `BatchFlushError` if its whole batch failed, `signal.reason` if aborted,
   * `QueueFullError` if `maxPending` items are already queued, `BatcherClosedError` after
   * `close()`.
   */
  add(item: I, options?: AddOptions): Promise<O> {
    if (this.#closed) return Promise.reject(new BatcherClosedError());
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const opts = this.#options;
    if (this.#queued >= opts.maxPending) {
      return Promise.reject(withoutStack(() => new QueueFullError(opts.maxPending)));
    }
    let size = 0;
    if (opts.sizeOf !== undefined) {
      try {
        size = opts.sizeOf(item);
      } catch (error) {
        return Promise.reject(error);
      }
      if (!(size >= 0)) {
        return Promise.reject(new TypeError(`sizeOf must return a number >= 0, got ${String(size)}`));
      }
    }

    let batch = this.#tail;
    if (
      batch === undefined ||
      batch.items.length >= opts.maxBatchSize ||
      (batch.items.length > 0 && batch.bytes + size > opts.maxBatchBytes)
    ) {
      const fresh = new Batch<I, O>();
      if (batch === undefined) this.#head = fresh;
      else batch.next = fresh;
      this.#tail = batch = fresh;
    }
    const index = batch.items.push(item) - 1;
    const target = batch;
    // An inline executor: TurboFan inlines it into the Promise constructor. A shared executor
    // that stashes the functions in module variables measured 25 % slower (every store into a
    // long-lived context goes through the write barrier).
    const promise = new Promise<O>((resolve, reject) => {
      target.resolves.push(resolve);
      target.rejects.push(reject);
    });
    batch.bytes += size;
    batch.live++;
    this.#queued++;
    if (signal !== undefined) this.#watch(batch, index, signal);

    if (batch.items.length >= opts.maxBatchSize || batch.bytes >= opts.maxBatchBytes) {
      if (this.#inFlightCount < opts.maxConcurrency) this.#drain();
    } else if (this.#timer === undefined && !this.#due) {
      this.#armTimer();
    }
    return promise;
  }

  /** Resolves once nothing is queued or in flight; at once if that is already so. */
  onIdle(options?: WaitOptions): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return this.#idleWaiters.wait(options?.signal);
  }

  /**
   * Stops accepting items (later `add()` rejects with `BatcherClosedError`), flushes what is
   * queued without waiting for `maxDelayMs`, and resolves once every flush has finished.
   *
   * Aborting `signal` stops waiting: every flush still running sees its `context.signal`
   * aborted, every item not yet settled rejects with a `BatcherClosedError` whose cause is
   * `signal.reason`, later results are dropped, and `close()` rejects with `signal.reason`.
   * @example await batcher.close({ signal: AbortSignal.timeout(5_000) });
   */
  async close(options?: WaitOptions): Promise<void> {
    this.#closed = true;
    this.#due = true;
    this.#clearTimer();
    this.#drain();
    const signal = options?.signal;
    try {
      if (signal?.aborted) throw signal.reason;
      await this.onIdle(options);
    } catch (reason) {
      this.#force(reason);
      throw reason;
    }
  }

  /** A plain snapshot of what this batcher has done and holds. */
  stats(): BatcherStats {
    return {
      batches: this.#batches,
      items: this.#items,
      meanBatchSize: this.#batches === 0 ? 0 : this.#items / this.#batches,
      maxBatchSize: this.#largest,
      inFlight: this.#inFlightCount,
      queued: this.#queued,
    };
  }

  #watch(batch: Batch<I, O>, index: number, signal: AbortSignal): void {
    const watcher = new ItemWatcher(batch as Batch<unknown, unknown>, index, signal, this.#onItemAbort);
    batch.watchers ??= [];
    batch.watchers[index] = watcher;
    watchAbort(signal, watcher);
  }

  #itemAborted(watcher: ItemWatcher): void {
    if (watcher.settled) return;
    watcher.settled = true;
    const batch = watcher.batch as Batch<I, O>;
    const reason = watcher.signal.reason;
    batch.rejects[watcher.index]!(reason);
    if (!batch.dispatched) {
      batch.live--;
      if (--this.#queued === 0) {
        // Every queued item was aborted: the queue holds only dead batches.
        this.#head = this.#tail = undefined;
        this.#due = this.#closed;
        this.#clearTimer();
        this.#checkIdle();
      }
    } else if (!batch.forced && ++batch.abortedInFlight === batch.items.length) {
      batch.context?.abort(reason);
    }
  }

  #armTimer(): void {
    const delay = this.#options.maxDelayMs;
    // Not unref'd: a queued item is work the caller awaits, and the process must live to flush it.
    this.#timer = delay === 0 ? setImmediate(this.#onTimer) : setTimeout(this.#onTimer, delay);
  }

  #clearTimer(): void {
    const timer = this.#timer;
    if (timer === undefined) return;
    this.#timer = undefined;
    if (this.#options.maxDelayMs === 0) clearImmediate(timer as NodeJS.Immediate);
    else clearTimeout(timer as NodeJS.Timeout);
  }

  #timerFired(): void {
    this.#timer = undefined;
    if (this.#head === undefined) return;
    this.#due = true;
    this.#drain();
  }

  /** Flushes queued batches while a slot is free and the head batch is full or due. */
  #drain(): void {
    const opts = this.#options;
    while (this.#inFlightCount < opts.maxConcurrency) {
      const head = this.#head;
      if (head === undefined) return;
      // Only the tail can be partly filled: a batch is closed to new items when it is full.
      if (
        head === this.#tail &&
        !this.#due &&
        head.items.length < opts.maxBatchSize &&
        head.bytes < opts.maxBatchBytes
      ) {
        return;
      }
      this.#head = head.next;
      head.next = undefined;
      if (this.#head === undefined) {
        this.#tail = undefined;
        this.#due = this.#closed;
        this.#clearTimer();
      }
      this.#dispatch(head);
    }
  }

  #dispatch(batch: Batch<I, O>): void {
    if (batch.live !== batch.items.length) batch.compact();
    const size = batch.items.length;
    if (size === 0) return;
    this.#queued -= size;
    batch.dispatched = true;
    batch.outstanding = 1;
    this.#inFlightCount++;
    const first = this.#inFlightHead;
    if (first !== undefined) first.prevInFlight = batch;
    batch.nextInFlight = first;
    this.#inFlightHead = batch;
    this.#batches++;
    this.#items += size;
    if (size > this.#largest) this.#largest = size;
    const context = new BatchContext();
    batch.context = context;
    let pending: Promise<readonly unknown[]>;
    try {
      pending = Promise.resolve(this.#flush(batch.items, context));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (results) => this.#settleAll(batch, results),
      (error: unknown) => this.#fail(batch, error),
    );
  }

  #settleAll(batch: Batch<I, O>, results: readonly unknown[]): void {
    const size = batch.items.length;
    if (!Array.isArray(results) || results.length !== size) {
      if (Array.isArray(results)) for (const r of results) if (isObject(r)) Promise.resolve(r).catch(ignore);
      const got = Array.isArray(results) ? `${results.length} results` : `a ${typeof results}`;
      this.#fail(batch, new RangeError(`flush returned ${got} for ${size} items`));
      return;
    }
    const { resolves, rejects } = batch;
    // Items without a signal need no settled-check: settling a promise twice is a no-op.
    const plain = batch.watchers === undefined && !batch.forced;
    for (let i = 0; i < size; i++) {
      const result: unknown = results[i];
      if (!isObject(result)) {
        if (plain) resolves[i]!(result as O);
        else if (!batch.forced) this.#settle(batch, i, result, false);
      } else if (isThenable(result)) {
        batch.outstanding++;
        // Promise.resolve returns a native promise as it is, and makes any other thenable safe:
        // its `then` runs later, at most one of its callbacks counts, and a throw is a rejection.
        Promise.resolve(result).then(
          (value) => this.#elementSettled(batch, i, value, value instanceof Error),
          (error: unknown) => this.#elementSettled(batch, i, error, true),
        );
      } else if (plain) {
        if (result instanceof Error) rejects[i]!(result);
        else resolves[i]!(result as O);
      } else if (!batch.forced) {
        this.#settle(batch, i, result, result instanceof Error);
      }
    }
    this.#release(batch);
  }

  #elementSettled(batch: Batch<I, O>, index: number, value: unknown, failed: boolean): void {
    if (!batch.forced) this.#settle(batch, index, value, failed);
    this.#release(batch);
  }

  #fail(batch: Batch<I, O>, cause: unknown): void {
    if (!batch.forced) {
      const error = new BatchFlushError(batch.items.length, cause);
      for (let i = 0; i < batch.items.length; i++) this.#settle(batch, i, error, true);
    }
    this.#release(batch);
  }

  #settle(batch: Batch<I, O>, index: number, value: unknown, failed: boolean): void {
    const watcher = batch.watchers?.[index];
    if (watcher !== undefined) {
      if (watcher.settled) return;
      watcher.settled = true;
      unwatchAbort(watcher.signal, watcher);
    }
    if (failed) batch.rejects[index]!(value);
    else batch.resolves[index]!(value as O);
  }

  #release(batch: Batch<I, O>): void {
    if (--batch.outstanding > 0 || batch.forced) return;
    this.#leaveInFlight(batch);
    this.#drain();
    this.#checkIdle();
  }

  #force(reason: unknown): void {
    const error = new BatcherClosedError('The batcher was closed before this item settled', {
      cause: reason,
    });
    for (let batch = this.#head; batch !== undefined; batch = batch.next) {
      for (let i = 0; i < batch.items.length; i++) this.#settle(batch, i, error, true);
    }
    this.#head = this.#tail = undefined;
    this.#queued = 0;
    this.#clearTimer();
    while (this.#inFlightHead !== undefined) {
      const batch = this.#inFlightHead;
      this.#leaveInFlight(batch);
      for (let i = 0; i < batch.items.length; i++) this.#settle(batch, i, error, true);
      batch.forced = true;
      batch.context?.abort(reason);
    }
    this.#checkIdle();
  }

  #leaveInFlight(batch: Batch<I, O>): void {
    this.#inFlightCount--;
    const { prevInFlight: prev, nextInFlight: next } = batch;
    if (prev === undefined) this.#inFlightHead = next;
    else prev.nextInFlight = next;
    if (next !== undefined) next.prevInFlight = prev;
    // Unlinked, so that a tenured dead batch never keeps a younger one alive.
    batch.prevInFlight = batch.nextInFlight = undefined;
  }

  #isIdle(): boolean {
    return this.#queued === 0 && this.#inFlightCount === 0;
  }

  #checkIdle(): void {
    if (this.#idleWaiters.size > 0 && this.#isIdle()) this.#idleWaiters.resolveAll();
  }
}
