import { LRUCache } from 'lru-cache';
import { describe } from './describe.js';
import { MissingLoaderError, UndefinedValueError } from './errors.js';
import type { EvictReason, Loader, LoadOptions, SetOptions, SkillCacheOptions } from './options.js';
import type { CacheStats } from './stats.js';
import {
  checkInteger,
  checkOptionalBoolean,
  checkOptionalFunction,
  checkOptionalSignal,
  checkOptionsObject,
  checkTtl,
} from './validate.js';
import { waitUnlessAborted } from './wait-unless-aborted.js';

/** One loader call that concurrent `load`s of a key share. */
interface Flight<V> {
  readonly controller: AbortController;
  promise: Promise<V>;
  /** Callers waiting for it; only callers with a signal ever leave. */
  waiters: number;
}

// lru-cache preallocates arrays of `max` slots; no JS array can be longer than this.
const MAX_ENTRIES = 2 ** 32 - 1;

/**
 * A TTL + LRU cache with single-flight loading, on lru-cache.
 *
 * `get` is the product: it is one lru-cache `get` plus a counter, with no allocation, closure or
 * event, so a hit costs a bare lru-cache hit plus one call. Concurrent `load`s of one key share one loader call, kept in a small
 * in-flight map beside the cache rather than in it (see the README for why not lru-cache's
 * `fetch()`).
 *
 * @example
 * ```ts
 * const skills = new SkillCache<string, Skill>({ maxSize: 50, ttl: 3_600_000, load: readSkill });
 * const skill = await skills.load('summarise', { signal });
 * ```
 */
export class SkillCache<K extends {}, V extends {}> {
  readonly #lru: LRUCache<K, V>;
  readonly #inflight = new Map<K, Flight<V>>();
  readonly #load: Loader<K, V> | undefined;
  readonly #onEvict: ((key: K, value: V, reason: EvictReason) => void) | undefined;
  #hits = 0;
  #misses = 0;
  #loads = 0;
  #loadFailures = 0;
  #evictions = 0;
  #expirations = 0;

  constructor(options: SkillCacheOptions<K, V> = {}) {
    checkOptionsObject('options', options);
    const { maxSize = 50, ttl = 3_600_000, updateAgeOnGet = false, load, onEvict, now } = options;
    checkInteger('maxSize', maxSize, 1, MAX_ENTRIES);
    checkTtl('ttl', ttl);
    checkOptionalBoolean('updateAgeOnGet', updateAgeOnGet);
    checkOptionalFunction('load', load);
    checkOptionalFunction('onEvict', onEvict);
    checkOptionalFunction('now', now);
    this.#load = load;
    this.#onEvict = onEvict;
    this.#lru = new LRUCache<K, V>({
      max: maxSize,
      ttl,
      updateAgeOnGet,
      // disposeAfter, not dispose: it runs once lru-cache is consistent again, so the callback
      // may re-enter the cache.
      disposeAfter: (value, key, reason) => this.#disposed(value, key, reason),
      // lru-cache caches its clock reading for 1 ms behind a timer; an injected clock is read on
      // every check instead, so moving it takes effect at once. It also takes a start time of 0 to
      // mean "no TTL", and a fake clock often starts at 0.
      ...(now === undefined ? {} : { perf: { now: () => now() || Number.MIN_VALUE }, ttlResolution: 0 }),
    });
  }

  /** Entries held now, including expired ones not yet dropped. */
  get size(): number {
    return this.#lru.size;
  }

  /**
   * The value cached for `key`, or `undefined`; a hit makes the entry the most recently used.
   * An expired entry is dropped and counts as a miss.
   */
  get(key: K): V | undefined {
    const value = this.#lru.get(key);
    if (value === undefined) this.#misses++;
    else this.#hits++;
    return value;
  }

  /** Like `get`, but leaves recency, TTL and the stats alone. */
  peek(key: K): V | undefined {
    return this.#lru.peek(key);
  }

  /** Whether a live (unexpired) entry exists; leaves recency, TTL and the stats alone. */
  has(key: K): boolean {
    return this.#lru.has(key);
  }

  /**
   * Stores `value` as the most recently used entry, evicting the least recently used one if the
   * cache is full. A load of `key` still in flight no longer writes its result: this value is newer.
   */
  set(key: K, value: V, options?: SetOptions): this {
    checkKey(key);
    if (value === undefined) throw new UndefinedValueError(key, 'set');
    checkOptionsObject('set options', options);
    if (options?.ttl !== undefined) checkTtl('ttl', options.ttl);
    this.#inflight.delete(key);
    this.#lru.set(key, value, options?.ttl === undefined ? undefined : { ttl: options.ttl });
    return this;
  }

  /**
   * Removes `key` (reason `delete`); true if it was cached. A load of `key` still in flight is
   * detached: its callers get its result, but it is not cached.
   */
  delete(key: K): boolean {
    this.#inflight.delete(key);
    return this.#lru.delete(key);
  }

  /** Removes every entry (reason `delete`) and detaches every load in flight. Stats are kept. */
  clear(): void {
    this.#inflight.clear();
    this.#lru.clear();
  }

  /** The keys of live entries, from most to least recently used. */
  keys(): IterableIterator<K> {
    return this.#lru.keys();
  }

  /** Drops every expired entry now (reason `expire`) and returns how many were dropped. */
  purgeStale(): number {
    const before = this.#expirations;
    this.#lru.purgeStale();
    return this.#expirations - before;
  }

  /**
   * The cached value for `key`, or else the result of one loader call shared by every concurrent
   * `load` of that key. A load that fails is not cached: the next `load` calls the loader again.
   * Aborting `signal` rejects this call with `signal.reason`; the load goes on for the others.
   */
  async load(key: K, options?: LoadOptions<K, V>): Promise<V> {
    checkKey(key);
    checkOptionsObject('load options', options);
    const signal = options?.signal;
    checkOptionalSignal('signal', signal);
    checkOptionalFunction('loader', options?.loader);
    if (options?.ttl !== undefined) checkTtl('ttl', options.ttl);
    if (signal?.aborted) throw signal.reason;

    const cached = this.get(key);
    if (cached !== undefined) return cached;
    let flight = this.#inflight.get(key);
    if (flight === undefined) {
      const loader = options?.loader ?? this.#load;
      if (loader === undefined) throw new MissingLoaderError(key);
      flight = this.#start(key, loader, options?.ttl);
    }
    flight.waiters++;
    if (signal === undefined) return flight.promise;
    const joined = flight;
    return waitUnlessAborted(joined.promise, signal, () => this.#leave(key, joined, signal.reason));
  }

  /** A snapshot of the counters. */
  stats(): CacheStats {
    const hits = this.#hits;
    const lookups = hits + this.#misses;
    return {
      hits,
      misses: this.#misses,
      hitRate: lookups === 0 ? 0 : hits / lookups,
      loads: this.#loads,
      loadFailures: this.#loadFailures,
      evictions: this.#evictions,
      expirations: this.#expirations,
      size: this.#lru.size,
      maxSize: this.#lru.max,
    };
  }

  /** Zeroes the counters (not the entries). */
  resetStats(): void {
    this.#hits = 0;
    this.#misses = 0;
    this.#loads = 0;
    this.#loadFailures = 0;
    this.#evictions = 0;
    this.#expirations = 0;
  }

  #start(key: K, loader: Loader<K, V>, ttl: number | undefined): Flight<V> {
    const flight = { controller: new AbortController(), waiters: 0 } as Flight<V>;
    this.#inflight.set(key, flight);
    this.#loads++;
    // Every caller handles this promise (each waiter attaches to it), so a load that rejects after
    // all its callers left is not an unhandled rejection.
    flight.promise = this.#run(key, loader, ttl, flight);
    return flight;
  }

  async #run(key: K, loader: Loader<K, V>, ttl: number | undefined, flight: Flight<V>): Promise<V> {
    try {
      const value = await loader(key, { signal: flight.controller.signal });
      if (value === undefined) throw new UndefinedValueError(key, 'loader');
      // Only a load still registered may write: `set`, `delete`, `clear` or every caller leaving
      // detached it, and its result would then be older than what the cache should hold.
      if (this.#inflight.get(key) === flight) {
        this.#inflight.delete(key);
        this.#lru.set(key, value, ttl === undefined ? undefined : { ttl });
      }
      return value;
    } catch (error) {
      if (this.#inflight.get(key) === flight) this.#inflight.delete(key);
      if (!flight.controller.signal.aborted) this.#loadFailures++;
      throw error;
    }
  }

  /** A caller with a signal gave up; the last one to leave aborts the loader. */
  #leave(key: K, flight: Flight<V>, reason: unknown): void {
    flight.waiters--;
    if (flight.waiters > 0) return;
    if (this.#inflight.get(key) === flight) this.#inflight.delete(key);
    flight.controller.abort(reason);
  }

  #disposed(value: V, key: K, reason: LRUCache.DisposeReason): void {
    if (reason === 'evict') this.#evictions++;
    else if (reason === 'expire') this.#expirations++;
    if (this.#onEvict === undefined) return;
    try {
      // 'fetch' is lru-cache's reason for a failed fetch(), which this class never calls.
      this.#onEvict(key, value, reason as EvictReason);
    } catch (error) {
      // Thrown inside lru-cache it would leave later disposals queued; a warning keeps the cache
      // consistent and still makes the bug visible.
      const warning = new Error(`onEvict threw for key ${describe(key)} (reason ${reason})`, {
        cause: error,
      });
      warning.name = 'SkillCacheWarning';
      process.emitWarning(warning);
    }
  }
}

function checkKey(key: unknown): void {
  if (key === undefined || key === null) throw new TypeError(`key must not be ${key}`);
}
