/**
 * Why an entry left the cache, as reported to `onEvict`:
 * - `evict`: pushed out as least recently used, to stay within `maxSize`;
 * - `expire`: its TTL ran out and it was found stale (on `get`, or by `purgeStale()`);
 * - `delete`: removed by `delete()` or `clear()`;
 * - `set`: replaced by `set()` with a different value.
 */
export type EvictReason = 'evict' | 'expire' | 'delete' | 'set';

/** What a loader receives besides the key. */
export interface LoaderContext {
  /**
   * Aborted when every caller waiting for this load has given up (each through its own signal),
   * so work nobody wants any more can stop. Its reason is the last caller's `signal.reason`.
   */
  readonly signal: AbortSignal;
}

/** Produces the value for a key that is not cached. It may be sync or async. */
export type Loader<K, V> = (key: K, context: LoaderContext) => V | PromiseLike<V>;

/** Options of {@link SkillCache}. */
export interface SkillCacheOptions<K, V> {
  /**
   * The most entries the cache holds; the least recently used one is evicted to make room.
   * lru-cache allocates its index arrays for this many entries up front.
   * Must be an integer >= 1: an unbounded cache is not offered.
   * @default 50
   */
  readonly maxSize?: number;
  /**
   * How long an entry lives, in milliseconds, counted from its `set` (or from its last `get` with
   * `updateAgeOnGet`). `0` means entries never expire. A single entry can override it with
   * `set(key, value, { ttl })` or `load(key, { ttl })`. Expired entries are dropped lazily, when
   * they are next read or on `purgeStale()`: no timer is kept per entry.
   * @default 3_600_000 (one hour)
   */
  readonly ttl?: number;
  /**
   * Whether a `get` hit restarts the entry's TTL (a sliding expiry).
   * @default false
   */
  readonly updateAgeOnGet?: boolean;
  /**
   * The default loader of `load(key)` when the call passes no `loader` of its own.
   * @default undefined (then `load` needs a per-call `loader`)
   * @example
   * ```ts
   * new SkillCache<string, Skill>({ load: (name, { signal }) => readSkill(dir, name, { signal }) })
   * ```
   */
  readonly load?: Loader<K, V>;
  /**
   * Called after an entry has left the cache, with the reason. The cache is already consistent
   * when it runs, so it may call back into the cache. If it throws, the error is reported as a
   * process warning (`SkillCacheWarning`, with the error as `cause`) and the cache carries on.
   * @default undefined
   */
  readonly onEvict?: (key: K, value: V, reason: EvictReason) => void;
  /**
   * The clock used for TTLs, in milliseconds. When given, it is read on every TTL check (no
   * caching), so tests that move a fake clock see expiry at once.
   * @default performance.now (lru-cache reads it at most once per millisecond)
   * @example
   * ```ts
   * let now = 0;
   * const cache = new SkillCache({ ttl: 1_000, now: () => now });
   * now += 1_001; // every entry is now expired
   * ```
   */
  readonly now?: () => number;
}

/** Options of {@link SkillCache.set}. */
export interface SetOptions {
  /**
   * This entry's TTL in milliseconds; `0` means it never expires.
   * @default the cache's `ttl`
   */
  readonly ttl?: number;
}

/** Options of {@link SkillCache.load}. */
export interface LoadOptions<K, V> {
  /**
   * Gives up waiting: the call rejects with `signal.reason`. The load itself goes on for the other
   * callers waiting for it, and is only aborted once all of them have given up.
   * @default undefined
   */
  readonly signal?: AbortSignal;
  /**
   * The loader for this call, instead of the cache's `load` option. If a load of the key is
   * already in flight, the call joins it and this loader is not called.
   * @default the cache's `load` option
   */
  readonly loader?: Loader<K, V>;
  /**
   * TTL of the loaded entry in milliseconds; `0` means it never expires.
   * @default the cache's `ttl`
   */
  readonly ttl?: number;
}
