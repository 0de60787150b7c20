/** A snapshot of a {@link SkillCache}'s counters: plain, readonly, JSON-serialisable data. */
export interface CacheStats {
  /** Lookups (`get` and `load`) answered from the cache. */
  readonly hits: number;
  /** Lookups (`get` and `load`) that found nothing cached. */
  readonly misses: number;
  /** `hits / (hits + misses)`, or 0 before the first lookup. */
  readonly hitRate: number;
  /** Loader calls started by `load` (concurrent loads of one key count once). */
  readonly loads: number;
  /** Loader calls that threw or rejected (loads every caller had abandoned are not counted). */
  readonly loadFailures: number;
  /** Entries pushed out as least recently used. */
  readonly evictions: number;
  /** Entries dropped because their TTL ran out. */
  readonly expirations: number;
  /** Entries held now, including expired ones not yet dropped. */
  readonly size: number;
  /** The `maxSize` option. */
  readonly maxSize: number;
}
