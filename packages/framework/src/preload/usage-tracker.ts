/** One skill's usage over the window, and its prefetch state. Mutable, internal. */
export class UsageEntry {
  readonly name: string;
  /** Calls of this skill in the window. */
  count = 0;
  /** Calls in the window that another call followed (the denominator of its transitions). */
  followed = 0;
  /** How often each skill came right after this one, in the window. */
  readonly next = new Map<UsageEntry, number>();
  /** Skills that followed this one often enough to be prefetched after it (re-checked on use). */
  targets: UsageEntry[] = [];
  /** The content hash this skill was preloaded or prefetched with (every worker imports it). */
  warmHash: string | undefined = undefined;
  /** Imported everywhere for the skill's current content: nothing to prefetch. */
  warm = false;
  /** Waiting in the prefetch queue. */
  queued = false;
  /** Prefetched and not called since: its next call counts as a prefetch used. */
  prefetchPending = false;

  constructor(name: string) {
    this.name = name;
  }
}

/** When a successor is worth prefetching. */
export interface PrefetchRule {
  readonly threshold: number;
  readonly minObservations: number;
}

/**
 * Call counts and transitions (which skill follows which) over a sliding window of the most
 * recent calls. Recording is O(1): a ring buffer store, two counter updates, and one `Map`
 * update for the transition in and, once the window is full, one for the transition out.
 */
export class UsageTracker {
  readonly #ring: (UsageEntry | undefined)[];
  readonly #entries = new Map<string, UsageEntry>();
  readonly #rule: PrefetchRule;
  #head = 0;
  #length = 0;

  constructor(windowSize: number, rule: PrefetchRule) {
    this.#ring = new Array<UsageEntry | undefined>(windowSize).fill(undefined);
    this.#rule = rule;
  }

  get windowSize(): number {
    return this.#ring.length;
  }

  /** The entry of `name`, created on first use. */
  entry(name: string): UsageEntry {
    let entry = this.#entries.get(name);
    if (entry === undefined) {
      entry = new UsageEntry(name);
      this.#entries.set(name, entry);
    }
    return entry;
  }

  /** The entry of `name` if it was ever used. */
  find(name: string): UsageEntry | undefined {
    return this.#entries.get(name);
  }

  record(entry: UsageEntry): void {
    const ring = this.#ring;
    const size = ring.length;
    if (this.#length === size) {
      const oldest = ring[this.#head]!;
      const second = ring[(this.#head + 1) % size]!;
      oldest.count--;
      oldest.followed--;
      const n = oldest.next.get(second)! - 1;
      if (n === 0) oldest.next.delete(second);
      else oldest.next.set(second, n);
      ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % size;
      this.#length--;
    }
    if (this.#length > 0) {
      const previous = ring[(this.#head + this.#length - 1) % size]!;
      previous.followed++;
      const n = (previous.next.get(entry) ?? 0) + 1;
      previous.next.set(entry, n);
      if (previous.followed === this.#rule.minObservations) {
        // Enough observations from now on: every successor seen so far may qualify.
        for (const next of previous.next.keys()) this.#target(previous, next);
      } else {
        // Otherwise a successor is (re)considered as its own count grows.
        this.#target(previous, entry, n);
      }
    }
    ring[(this.#head + this.#length) % size] = entry;
    this.#length++;
    entry.count++;
  }

  #target(from: UsageEntry, to: UsageEntry, n?: number): void {
    if (this.qualifies(from, to, n) && !from.targets.includes(to)) from.targets.push(to);
  }

  /** Whether `to` follows `from` often enough, over enough observations, to prefetch it. */
  qualifies(from: UsageEntry, to: UsageEntry, n = from.next.get(to) ?? 0): boolean {
    return from.followed >= this.#rule.minObservations && n >= this.#rule.threshold * from.followed;
  }

  /** The window, oldest call first. */
  window(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.#length; i++) out.push(this.#ring[(this.#head + i) % this.#ring.length]!.name);
    return out;
  }

  /** Calls by skill in the window, most used first. */
  counts(): [name: string, calls: number][] {
    const out: [string, number][] = [];
    for (const entry of this.#entries.values()) if (entry.count > 0) out.push([entry.name, entry.count]);
    return out.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  get recorded(): number {
    return this.#length;
  }
}
