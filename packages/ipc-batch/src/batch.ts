import type { FlushContext } from './batcher-options.js';

/**
 * The abort listener of one item that was added with a signal. An object with `handleEvent`
 * instead of a closure: only items that carry a signal pay for it, and it doubles as the item's
 * "already settled" flag.
 */
export class ItemWatcher {
  /** Position in its batch; moves when aborted items are compacted out before the flush. */
  index: number;
  settled = false;
  readonly batch: Batch<unknown, unknown>;
  readonly signal: AbortSignal;
  readonly #onAbort: (watcher: ItemWatcher) => void;

  constructor(
    batch: Batch<unknown, unknown>,
    index: number,
    signal: AbortSignal,
    onAbort: (watcher: ItemWatcher) => void,
  ) {
    this.batch = batch;
    this.index = index;
    this.signal = signal;
    this.#onAbort = onAbort;
  }

  handleEvent(): void {
    this.#onAbort(this);
  }
}

/**
 * The signal of a flush, created only if the flush reads it: most flushes never do, and an
 * AbortController per batch would cost more than the rest of the batch's bookkeeping.
 */
export class BatchContext implements FlushContext {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#controller !== undefined) {
      this.#controller.abort(reason);
    } else if (!this.#aborted) {
      this.#aborted = true;
      this.#reason = reason;
    }
  }
}

/**
 * One batch, first in the queue (a singly linked list, so enqueue and dequeue are O(1)), then in
 * flight. Items and their settle functions live in parallel arrays: `items` is handed to the flush
 * as it is, without a copy.
 */
export class Batch<I, O> {
  readonly items: I[] = [];
  readonly resolves: ((value: O) => void)[] = [];
  readonly rejects: ((reason: unknown) => void)[] = [];
  /** Only allocated once an item of this batch carries a signal. */
  watchers: (ItemWatcher | undefined)[] | undefined;
  bytes = 0;
  /** Items not aborted while queued. */
  live = 0;
  /** The next batch in the queue. */
  next: Batch<I, O> | undefined;
  /** Neighbours in the batcher's list of batches holding a slot. */
  prevInFlight: Batch<I, O> | undefined;
  nextInFlight: Batch<I, O> | undefined;
  dispatched = false;
  /** Released by close({ signal }): every later settlement of this batch is ignored. */
  forced = false;
  /** While in flight: the flush's own promise plus the element promises not yet settled. */
  outstanding = 0;
  abortedInFlight = 0;
  context: BatchContext | undefined;

  /** Drops the items aborted while queued, in place, before the flush sees `items`. */
  compact(): void {
    const { items, resolves, rejects, watchers } = this;
    if (watchers === undefined) return;
    let kept = 0;
    for (let i = 0; i < items.length; i++) {
      const watcher = watchers[i];
      if (watcher?.settled) continue;
      if (kept !== i) {
        items[kept] = items[i] as I;
        resolves[kept] = resolves[i]!;
        rejects[kept] = rejects[i]!;
        watchers[kept] = watcher;
        if (watcher !== undefined) watcher.index = kept;
      }
      kept++;
    }
    items.length = kept;
    resolves.length = kept;
    rejects.length = kept;
    watchers.length = kept;
  }
}
