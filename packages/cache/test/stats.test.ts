import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CacheStats, SkillCache } from '../src/index.js';
import { manualClock } from './support.js';

describe('stats', () => {
  it('starts at zero, with a hit rate of 0 before any lookup', () => {
    const cache = new SkillCache<string, number>({ maxSize: 7 });
    expect(cache.stats()).toEqual({
      hits: 0,
      misses: 0,
      hitRate: 0,
      loads: 0,
      loadFailures: 0,
      evictions: 0,
      expirations: 0,
      size: 0,
      maxSize: 7,
    });
  });

  it('counts gets, loads, evictions and expirations so that they add up', async () => {
    const clock = manualClock(1);
    const cache = new SkillCache<string, number>({ maxSize: 2, ttl: 100, now: clock.now });
    cache.set('a', 1);
    cache.get('a'); // hit
    cache.get('nope'); // miss
    await cache.load('b', { loader: () => 2 }); // miss + load
    await cache.load('b'); // hit
    await cache.load('c', { loader: () => Promise.reject(new Error('x')) }).catch(() => {}); // miss + failure
    await cache.load('c', { loader: () => 3 }); // miss + load, evicts a
    clock.advance(101);
    cache.get('b'); // miss + expiration
    const stats = cache.stats();
    expect(stats).toEqual({
      hits: 2,
      misses: 5,
      hitRate: 2 / 7,
      loads: 3,
      loadFailures: 1,
      evictions: 1,
      expirations: 1,
      size: 1,
      maxSize: 2,
    });
  });

  it('is plain, JSON-serialisable data detached from the cache', () => {
    const cache = new SkillCache<string, number>();
    cache.set('a', 1);
    cache.get('a');
    const stats = cache.stats();
    expect(Object.getPrototypeOf(stats)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    cache.get('a');
    expect(stats.hits).toBe(1);
  });

  it('resetStats zeroes the counters but keeps the entries', () => {
    const cache = new SkillCache<string, number>({ maxSize: 1 });
    cache.set('a', 1).set('b', 2);
    cache.get('b');
    cache.get('a');
    cache.resetStats();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, hitRate: 0, evictions: 0, size: 1 });
    expect(cache.get('b')).toBe(2);
  });

  it('agrees with a reference LRU model over random operation sequences', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('get' as const), key }),
      fc.record({ kind: fc.constant('set' as const), key, value: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('delete' as const), key }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 60 }), (maxSize, ops) => {
        const cache = new SkillCache<string, number>({ maxSize, ttl: 0 });
        // The model: entries from least to most recently used.
        const model: Array<[string, number]> = [];
        let hits = 0;
        let misses = 0;
        let evictions = 0;
        for (const o of ops) {
          const at = model.findIndex(([k]) => k === o.key);
          if (o.kind === 'get') {
            const got = cache.get(o.key);
            if (at === -1) {
              misses++;
              expect(got).toBeUndefined();
            } else {
              hits++;
              const [entry] = model.splice(at, 1);
              model.push(entry!);
              expect(got).toBe(entry![1]);
            }
          } else if (o.kind === 'set') {
            cache.set(o.key, o.value);
            if (at !== -1) model.splice(at, 1);
            model.push([o.key, o.value]);
            if (model.length > maxSize) {
              model.shift();
              evictions++;
            }
          } else {
            expect(cache.delete(o.key)).toBe(at !== -1);
            if (at !== -1) model.splice(at, 1);
          }
        }
        const lookups = hits + misses;
        expect(cache.stats()).toEqual<CacheStats>({
          hits,
          misses,
          hitRate: lookups === 0 ? 0 : hits / lookups,
          loads: 0,
          loadFailures: 0,
          evictions,
          expirations: 0,
          size: model.length,
          maxSize,
        });
        expect([...cache.keys()]).toEqual(model.map(([k]) => k).reverse());
      }),
    );
  });
});
