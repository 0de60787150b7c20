import { SkillCache } from './skill-cache.js';
import { stableKey } from './stable-key.js';
import { checkOptionalFunction, checkOptionsObject } from './validate.js';

/** Options of {@link memoize}. */
export interface MemoizeOptions<A extends unknown[], R extends {}> {
  /**
   * Holds the results; pass your own to choose its size and TTL, share it, or read its stats.
   * @default new SkillCache() (maxSize 50, ttl one hour)
   */
  readonly cache?: SkillCache<string, R>;
  /**
   * Makes the cache key from the arguments. The default refuses arguments JSON cannot represent
   * faithfully (see {@link stableKey}), so the memoized function rejects with a
   * `KeySerializationError` instead of mixing up two calls.
   * @default (...args) => stableKey(args)
   * @example
   * ```ts
   * memoize(runSkill, { key: (skill, input) => stableKey([skill.contentHash, input]) })
   * ```
   */
  readonly key?: (...args: A) => string;
}

/** A memoized function: it always returns a promise, and exposes the cache behind it. */
export type Memoized<A extends unknown[], R extends {}> = ((...args: A) => Promise<R>) & {
  /** The cache holding the results (for `stats()`, `delete()`, `clear()`). */
  readonly cache: SkillCache<string, R>;
};

/**
 * Memoizes `fn` in a {@link SkillCache}: a call whose key is cached resolves with the cached
 * result; concurrent calls with the same key share one call of `fn` (single-flight through
 * `cache.load`); a call that fails is not cached. `fn` should be pure: the same arguments, the same
 * result. Results must not be `undefined`.
 *
 * @example
 * ```ts
 * const area = memoize(async (shape: { w: number; h: number }) => shape.w * shape.h);
 * await area({ w: 2, h: 3 }); // calls fn
 * await area({ h: 3, w: 2 }); // cached: property order does not matter
 * ```
 */
export function memoize<A extends unknown[], R extends {}>(
  fn: (...args: A) => R | PromiseLike<R>,
  options: MemoizeOptions<A, R> = {},
): Memoized<A, R> {
  if (typeof fn !== 'function') throw new TypeError('fn must be a function');
  checkOptionsObject('options', options);
  checkOptionalFunction('key', options.key);
  if (options.cache !== undefined && !(options.cache instanceof SkillCache)) {
    throw new TypeError('cache must be a SkillCache');
  }
  const cache = options.cache ?? new SkillCache<string, R>();
  const keyOf = options.key ?? ((...args: A): string => stableKey(args));
  const memoized = (...args: A): Promise<R> => {
    let key: string;
    try {
      key = keyOf(...args);
    } catch (error) {
      return Promise.reject(error);
    }
    return cache.load(key, { loader: () => fn(...args) });
  };
  return Object.assign(memoized, { cache });
}
