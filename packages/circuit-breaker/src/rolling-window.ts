/** What a window counts. A timeout is counted as a failure and as a timeout. */
export const SUCCESS = 0;
export const FAILURE = 1;
export const TIMEOUT = 2;
export const REJECT = 3;
export const IGNORED = 4;
const KINDS = 5;

export type CountKind = typeof SUCCESS | typeof FAILURE | typeof TIMEOUT | typeof REJECT | typeof IGNORED;

/**
 * Counts outcomes over the last `windowMs`, in `buckets` equal slices of time.
 *
 * Memory and work are O(buckets), never O(calls): each bucket is a row of counters, and a
 * running total per kind is kept so reading the window is O(1). Buckets rotate lazily from the
 * clock on each access, so no timer ticks while the breaker is idle.
 *
 * A record at time `t` lands in bucket `floor(t / bucketMs)`; the window at time `now` holds
 * the `buckets` most recent buckets up to `floor(now / bucketMs)`, so it spans between
 * `windowMs - bucketMs` and `windowMs` of history.
 */
export class RollingWindow {
  readonly #bucketMs: number;
  readonly #buckets: number;
  readonly #counts: Float64Array;
  readonly #totals = new Float64Array(KINDS);
  /** Absolute index (`floor(time / bucketMs)`) of the newest bucket. */
  #head: number;

  constructor(windowMs: number, buckets: number, now: number) {
    this.#bucketMs = windowMs / buckets;
    this.#buckets = buckets;
    this.#counts = new Float64Array(buckets * KINDS);
    this.#head = Math.floor(now / this.#bucketMs);
  }

  /** Adds one `kind` at time `now`. */
  record(kind: CountKind, now: number): void {
    const row = this.#advance(now) * KINDS;
    this.#counts[row + kind]! += 1;
    this.#totals[kind]! += 1;
  }

  /** How many `kind` the window holds at time `now`. */
  count(kind: CountKind, now: number): number {
    this.#advance(now);
    return this.#totals[kind]!;
  }

  /** Empties the window. */
  reset(now: number): void {
    this.#counts.fill(0);
    this.#totals.fill(0);
    this.#head = Math.floor(now / this.#bucketMs);
  }

  /** Drops the buckets that slid out of the window by `now`; returns the newest bucket's row. */
  #advance(now: number): number {
    const index = Math.floor(now / this.#bucketMs);
    const buckets = this.#buckets;
    if (index > this.#head) {
      const expired = Math.min(index - this.#head, buckets);
      for (let step = 1; step <= expired; step++) this.#clear(slot(this.#head + step, buckets));
      this.#head = index;
    }
    // A clock that stepped back keeps counting into the newest bucket.
    return slot(this.#head, buckets);
  }

  #clear(bucket: number): void {
    const row = bucket * KINDS;
    for (let kind = 0; kind < KINDS; kind++) {
      this.#totals[kind]! -= this.#counts[row + kind]!;
      this.#counts[row + kind] = 0;
    }
  }
}

function slot(index: number, buckets: number): number {
  return ((index % buckets) + buckets) % buckets;
}
