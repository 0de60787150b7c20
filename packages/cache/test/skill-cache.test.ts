import { describe, expect, it } from 'vitest';
import { type EvictReason, isUndefinedValueError, SkillCache } from '../src/index.js';
import { manualClock } from './support.js';

type Evicted = [key: string, value: number, reason: EvictReason];

function recording(options: { maxSize?: number; ttl?: number; now?: () => number } = {}) {
  const evicted: Evicted[] = [];
  const cache = new SkillCache<string, number>({
    ...options,
    onEvict: (key, value, reason) => evicted.push([key, value, reason]),
  });
  return { cache, evicted };
}

describe('SkillCache basics', () => {
  it('stores, reads, peeks, checks and deletes entries', () => {
    const cache = new SkillCache<string, number>();
    expect(cache.set('a', 1)).toBe(cache);
    expect(cache.get('a')).toBe(1);
    expect(cache.peek('a')).toBe(1);
    expect(cache.has('a')).toBe(true);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.has('b')).toBe(false);
    expect(cache.size).toBe(1);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds falsy values and object keys by identity', () => {
    const cache = new SkillCache<object | string, number | string | boolean>();
    const key = { name: 'k' };
    cache.set(key, 0).set('empty', '').set('no', false);
    expect(cache.get(key)).toBe(0);
    expect(cache.get({ name: 'k' })).toBeUndefined();
    expect(cache.get('empty')).toBe('');
    expect(cache.get('no')).toBe(false);
  });

  it('clear() empties the cache', () => {
    const cache = new SkillCache<string, number>();
    cache.set('a', 1).set('b', 2);
    cache.clear();
    expect(cache.size).toBe(0);
    expect([...cache.keys()]).toEqual([]);
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses undefined values and nullish keys with typed errors, leaving the cache untouched', () => {
    const cache = new SkillCache<string, number>();
    cache.set('a', 1);
    let caught: unknown;
    try {
      cache.set('a', undefined as unknown as number);
    } catch (error) {
      caught = error;
    }
    expect(isUndefinedValueError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/"a".*undefined/);
    expect(() => cache.set(undefined as unknown as string, 1)).toThrow(
      new TypeError('key must not be undefined'),
    );
    expect(() => cache.set(null as unknown as string, 1)).toThrow(new TypeError('key must not be null'));
    expect(cache.get('a')).toBe(1);
    expect(cache.size).toBe(1);
  });

  it('validates set options', () => {
    const cache = new SkillCache<string, number>();
    expect(() => cache.set('a', 1, { ttl: -5 })).toThrow(
      new TypeError('ttl must be an integer >= 0 (milliseconds; 0 = no expiry), got -5'),
    );
    expect(() => cache.set('a', 1, 7 as never)).toThrow(
      new TypeError('set options must be an object, got 7'),
    );
    expect(cache.has('a')).toBe(false);
  });
});

describe('LRU order', () => {
  it('evicts the least recently used entry, where get counts as a use', () => {
    const { cache, evicted } = recording({ maxSize: 3 });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(cache.get('a')).toBe(1); // a is now the most recent; b the least
    cache.set('d', 4);
    expect(evicted).toEqual([['b', 2, 'evict']]);
    expect([...cache.keys()]).toEqual(['d', 'a', 'c']);
    cache.set('e', 5);
    expect(evicted.at(-1)).toEqual(['c', 3, 'evict']);
    expect(cache.size).toBe(3);
  });

  it('peek and has do not count as a use', () => {
    const { cache, evicted } = recording({ maxSize: 2 });
    cache.set('a', 1).set('b', 2);
    expect(cache.peek('a')).toBe(1);
    expect(cache.has('a')).toBe(true);
    cache.set('c', 3);
    expect(evicted).toEqual([['a', 1, 'evict']]);
  });

  it('set on an existing key makes it the most recent', () => {
    const { cache } = recording({ maxSize: 2 });
    cache.set('a', 1).set('b', 2).set('a', 10).set('c', 3);
    expect([...cache.keys()]).toEqual(['c', 'a']);
  });
});

describe('eviction reasons', () => {
  it('reports evict, set, delete and expire', () => {
    const clock = manualClock();
    const { cache, evicted } = recording({ maxSize: 2, ttl: 100, now: clock.now });
    cache.set('a', 1).set('b', 2).set('c', 3); // a evicted
    cache.set('b', 20); // replaced
    cache.set('b', 20); // same value: nothing replaced
    cache.delete('b');
    clock.advance(101);
    expect(cache.get('c')).toBeUndefined(); // expired
    cache.set('x', 1).set('y', 2);
    cache.clear();
    expect(evicted).toEqual([
      ['a', 1, 'evict'],
      ['b', 2, 'set'],
      ['b', 20, 'delete'],
      ['c', 3, 'expire'],
      ['x', 1, 'delete'],
      ['y', 2, 'delete'],
    ]);
  });

  it('runs onEvict after the cache is consistent, so it may use the cache', () => {
    const seen: Array<{ key: string; has: boolean; size: number }> = [];
    const cache: SkillCache<string, number> = new SkillCache<string, number>({
      maxSize: 1,
      onEvict: (key) => seen.push({ key, has: cache.has(key), size: cache.size }),
    });
    cache.set('a', 1).set('b', 2);
    expect(seen).toEqual([{ key: 'a', has: false, size: 1 }]);
  });

  it('a throwing onEvict becomes a warning; the cache stays consistent and reports every eviction', async () => {
    const reported: string[] = [];
    const cache = new SkillCache<string, number>({
      onEvict: (key) => {
        reported.push(key);
        throw new Error(`boom ${key}`);
      },
    });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => {
      if (warning.name === 'SkillCacheWarning') warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      cache.set('a', 1).set('b', 2).set('c', 3);
      expect(() => cache.clear()).not.toThrow();
      expect(cache.size).toBe(0);
      expect(reported.sort()).toEqual(['a', 'b', 'c']);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on nextTick
      expect(warnings).toHaveLength(3);
      expect(warnings[0]!.message).toMatch(/^onEvict threw for key "[abc]" \(reason delete\)$/);
      expect((warnings[0]!.cause as Error).message).toMatch(/^boom [abc]$/);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('TTL', () => {
  it('expires entries after ttl ms on an injected clock, even one that starts at 0', () => {
    const clock = manualClock(0);
    const { cache, evicted } = recording({ ttl: 1_000, now: clock.now });
    cache.set('a', 1);
    clock.advance(1_000);
    expect(cache.get('a')).toBe(1); // exactly ttl old: still fresh
    clock.advance(1);
    expect(cache.has('a')).toBe(false);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.size).toBe(1); // dropped lazily
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(evicted).toEqual([['a', 1, 'expire']]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, expirations: 1 });
  });

  it('defaults to one hour', () => {
    const clock = manualClock(5);
    const cache = new SkillCache<string, number>({ now: clock.now });
    cache.set('a', 1);
    clock.advance(3_600_000);
    expect(cache.get('a')).toBe(1);
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('ttl 0 means entries never expire', () => {
    const clock = manualClock(1);
    const cache = new SkillCache<string, number>({ ttl: 0, now: clock.now });
    cache.set('a', 1);
    clock.advance(10 ** 12);
    expect(cache.get('a')).toBe(1);
  });

  it('a per-entry ttl overrides the default, and per-entry 0 never expires', () => {
    const clock = manualClock(1);
    const cache = new SkillCache<string, number>({ ttl: 1_000, now: clock.now });
    cache.set('short', 1, { ttl: 100 }).set('default', 2).set('forever', 3, { ttl: 0 });
    clock.advance(101);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('default')).toBe(2);
    clock.advance(10 ** 9);
    expect(cache.get('default')).toBeUndefined();
    expect(cache.get('forever')).toBe(3);
  });

  it('a per-entry ttl works on a cache without a default ttl', () => {
    const clock = manualClock(1);
    const cache = new SkillCache<string, number>({ ttl: 0, now: clock.now });
    cache.set('a', 1, { ttl: 50 }).set('b', 2);
    clock.advance(51);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
  });

  it('updateAgeOnGet makes expiry sliding', () => {
    const clock = manualClock(1);
    const sliding = new SkillCache<string, number>({ ttl: 1_000, updateAgeOnGet: true, now: clock.now });
    const fixed = new SkillCache<string, number>({ ttl: 1_000, now: clock.now });
    sliding.set('a', 1);
    fixed.set('a', 1);
    clock.advance(800);
    expect(sliding.get('a')).toBe(1);
    expect(fixed.get('a')).toBe(1);
    clock.advance(800);
    expect(sliding.get('a')).toBe(1);
    expect(fixed.get('a')).toBeUndefined();
    clock.advance(1_001);
    expect(sliding.get('a')).toBeUndefined();
  });

  it('keys() skips expired entries and purgeStale() drops them', () => {
    const clock = manualClock(1);
    const { cache, evicted } = recording({ ttl: 100, now: clock.now });
    cache.set('old1', 1).set('old2', 2);
    clock.advance(60);
    cache.set('new', 3);
    clock.advance(60);
    expect([...cache.keys()]).toEqual(['new']);
    expect(cache.size).toBe(3);
    expect(cache.purgeStale()).toBe(2);
    expect(cache.size).toBe(1);
    expect(evicted.map(([key, , reason]) => `${key}:${reason}`).sort()).toEqual([
      'old1:expire',
      'old2:expire',
    ]);
    expect(cache.purgeStale()).toBe(0);
  });

  it('uses a real clock by default', async () => {
    const cache = new SkillCache<string, number>({ ttl: 20 });
    cache.set('a', 1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(cache.get('a')).toBeUndefined();
  });
});
