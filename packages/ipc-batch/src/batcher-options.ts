/**
 * What a flush may return for one item: the value, an `Error` that rejects only that item, or a
 * promise of either, so the items of one batch can settle one by one as their answers arrive.
 */
export type BatchResult<O> = O | Error | PromiseLike<O>;

/** What a flush receives besides its items. */
export interface FlushContext {
  /**
   * Aborted when every item of the batch was aborted by its caller (the work is no longer
   * wanted), or when `close()` was aborted while the flush was running.
   */
  readonly signal: AbortSignal;
}

/**
 * Sends one batch. Returns one result per item, in the order of `items`. Throwing, rejecting or
 * returning a different number of results fails every item of this batch with a `BatchFlushError`.
 * `items` belongs to the batcher: read it, do not modify it.
 */
export type FlushFunction<I, O> = (
  items: readonly I[],
  context: FlushContext,
) => Promise<readonly BatchResult<O>[]>;

/** Options of {@link Batcher}. */
export interface BatcherOptions<I> {
  /**
   * Most items in one batch. A batch that reaches it is flushed at once if a slot is free.
   * @default 100
   */
  maxBatchSize?: number;
  /**
   * Most bytes in one batch, as measured by `sizeOf` (required with this option). An item that
   * would push the current batch over the limit starts the next batch; an item larger than the
   * limit travels alone.
   * @default Infinity
   * @example { maxBatchBytes: 1 << 20, sizeOf: (call) => call.payload.length }
   */
  maxBatchBytes?: number;
  /**
   * The size of one item for `maxBatchBytes`. Called once per `add()`, so keep it cheap; only
   * used when `maxBatchBytes` is set.
   * @default undefined
   */
  sizeOf?: (item: I) => number;
  /**
   * How long the first item of a batch may wait for company. `0` flushes once everything queued
   * in the current turn of the event loop (microtasks included) has been added: on a
   * `setImmediate`, not on a microtask, because callers often reach `add()` through several
   * awaits. Items that wait for a free slot are never held longer.
   * @default 0
   */
  maxDelayMs?: number;
  /**
   * How many flushes may be in flight at once. While every slot is busy, new items wait and
   * travel together in the next batch: batches grow under load and stay at one item when idle.
   * A slot is released when the flush's promise has resolved and every promise it returned for
   * its items has settled.
   * @default 1
   */
  maxConcurrency?: number;
  /**
   * Most items waiting to be flushed (not yet handed to a flush). Beyond it, `add()` rejects
   * with `QueueFullError`.
   * @default Infinity
   */
  maxPending?: number;
}

/** Options of one `add()`. */
export interface AddOptions {
  /**
   * Aborting it rejects the item's promise at once with `signal.reason`. Before its flush the
   * item is removed from its batch; after, its result is dropped when it arrives.
   * @default undefined
   */
  signal?: AbortSignal;
}

/** Options of `onIdle()` and `close()`. */
export interface WaitOptions {
  /**
   * Stops waiting; the promise rejects with `signal.reason`.
   * @default undefined
   */
  signal?: AbortSignal;
}

/** A plain, JSON-serialisable snapshot of a batcher. */
export interface BatcherStats {
  /** Flushes started. */
  readonly batches: number;
  /** Items handed to flushes. */
  readonly items: number;
  /** `items / batches`, 0 before the first flush. */
  readonly meanBatchSize: number;
  /** Largest batch flushed so far. */
  readonly maxBatchSize: number;
  /** Flushes holding a concurrency slot right now. */
  readonly inFlight: number;
  /** Items waiting to be flushed right now. */
  readonly queued: number;
}

export interface ResolvedBatcherOptions<I> {
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  readonly sizeOf: ((item: I) => number) | undefined;
  readonly maxDelayMs: number;
  readonly maxConcurrency: number;
  readonly maxPending: number;
}

function isIntegerAtLeastOne(value: number, allowInfinity: boolean): boolean {
  return (Number.isInteger(value) && value >= 1) || (allowInfinity && value === Number.POSITIVE_INFINITY);
}

export function resolveBatcherOptions<I>(options: BatcherOptions<I> = {}): ResolvedBatcherOptions<I> {
  const {
    maxBatchSize = 100,
    maxBatchBytes = Number.POSITIVE_INFINITY,
    sizeOf,
    maxDelayMs = 0,
    maxConcurrency = 1,
    maxPending = Number.POSITIVE_INFINITY,
  } = options;
  if (typeof maxBatchSize !== 'number' || !isIntegerAtLeastOne(maxBatchSize, true)) {
    throw new TypeError(`maxBatchSize must be an integer >= 1, got ${String(maxBatchSize)}`);
  }
  if (typeof maxBatchBytes !== 'number' || !(maxBatchBytes > 0)) {
    throw new TypeError(`maxBatchBytes must be a number > 0, got ${String(maxBatchBytes)}`);
  }
  if (sizeOf !== undefined && typeof sizeOf !== 'function') {
    throw new TypeError(`sizeOf must be a function, got ${typeof sizeOf}`);
  }
  const bounded = maxBatchBytes !== Number.POSITIVE_INFINITY;
  if (bounded && sizeOf === undefined) {
    throw new TypeError(`sizeOf is required when maxBatchBytes is set, got maxBatchBytes ${maxBatchBytes}`);
  }
  // setTimeout cannot wait longer than 2^31 - 1 ms; beyond that it fires at once.
  if (typeof maxDelayMs !== 'number' || !(maxDelayMs >= 0 && maxDelayMs <= 2_147_483_647)) {
    throw new TypeError(`maxDelayMs must be a number between 0 and 2147483647, got ${String(maxDelayMs)}`);
  }
  if (typeof maxConcurrency !== 'number' || !isIntegerAtLeastOne(maxConcurrency, true)) {
    throw new TypeError(`maxConcurrency must be an integer >= 1, got ${String(maxConcurrency)}`);
  }
  if (typeof maxPending !== 'number' || !isIntegerAtLeastOne(maxPending, true)) {
    throw new TypeError(`maxPending must be an integer >= 1, got ${String(maxPending)}`);
  }
  return {
    maxBatchSize,
    maxBatchBytes,
    sizeOf: bounded ? sizeOf : undefined,
    maxDelayMs,
    maxConcurrency,
    maxPending,
  };
}
