import { describe, expect, it } from 'vitest';
import { SkillCache, type SkillCacheOptions } from '../src/index.js';

const make = (options: unknown) => () => new SkillCache(options as SkillCacheOptions<string, number>);

describe('SkillCache options', () => {
  it('defaults to maxSize 50', () => {
    const cache = new SkillCache<number, number>();
    for (let i = 0; i < 60; i++) cache.set(i, i);
    expect(cache.size).toBe(50);
    expect(cache.stats()).toMatchObject({ maxSize: 50, evictions: 10 });
    expect(cache.get(9)).toBeUndefined();
    expect(cache.get(10)).toBe(10);
  });

  it.each([
    [0, 'maxSize must be an integer between 1 and 4294967295, got 0'],
    [-1, 'maxSize must be an integer between 1 and 4294967295, got -1'],
    [1.5, 'maxSize must be an integer between 1 and 4294967295, got 1.5'],
    [Number.NaN, 'maxSize must be an integer between 1 and 4294967295, got NaN'],
    [Number.POSITIVE_INFINITY, 'maxSize must be an integer between 1 and 4294967295, got Infinity'],
    [2 ** 32, 'maxSize must be an integer between 1 and 4294967295, got 4294967296'],
    ['10', 'maxSize must be an integer between 1 and 4294967295, got "10"'],
    [null, 'maxSize must be an integer between 1 and 4294967295, got null'],
  ])('rejects maxSize %s', (maxSize, message) => {
    expect(make({ maxSize })).toThrow(new TypeError(message));
  });

  it.each([
    [-1, 'got -1'],
    [0.5, 'got 0.5'],
    [Number.POSITIVE_INFINITY, 'got Infinity'],
    [Number.NaN, 'got NaN'],
    ['1000', 'got "1000"'],
    [10n, 'got 10n'],
  ])('rejects ttl %s', (ttl, got) => {
    expect(make({ ttl })).toThrow(
      new TypeError(`ttl must be an integer >= 0 (milliseconds; 0 = no expiry), ${got}`),
    );
  });

  it.each([
    [{ updateAgeOnGet: 'yes' }, 'updateAgeOnGet must be a boolean, got "yes"'],
    [{ load: 5 }, 'load must be a function, got 5'],
    [{ onEvict: {} }, 'onEvict must be a function, got an object'],
    [{ now: [] }, 'now must be a function, got an array'],
    [null, 'options must be an object, got null'],
    [42, 'options must be an object, got 42'],
    [[1], 'options must be an object, got an array'],
  ])('rejects %j', (options, message) => {
    expect(make(options)).toThrow(new TypeError(message));
  });

  it('accepts the boundary values', () => {
    expect(new SkillCache({ maxSize: 1, ttl: 0 }).stats().maxSize).toBe(1);
    expect(
      make({ maxSize: 1, ttl: 0, updateAgeOnGet: true, load: () => 1, onEvict: () => {}, now: () => 1 }),
    ).not.toThrow();
  });
});
