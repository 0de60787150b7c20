import { describe, expectTypeOf, it } from 'vitest';
import { type Memoized, memoize, SkillCache } from '../src/index.js';

describe('public types', () => {
  it('memoize keeps the parameters and unwraps the result', () => {
    const memoized = memoize(async (a: number, b: { s: string }) => `${a}${b.s}`);
    expectTypeOf(memoized).toEqualTypeOf<Memoized<[a: number, b: { s: string }], string>>();
    expectTypeOf(memoized).parameters.toEqualTypeOf<[a: number, b: { s: string }]>();
    expectTypeOf(memoized).returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf(memoized.cache).toEqualTypeOf<SkillCache<string, string>>();
  });

  it('the key function sees the same parameters', () => {
    memoize((a: number, b: string) => a + b.length, {
      key: (a, b) => {
        expectTypeOf(a).toEqualTypeOf<number>();
        expectTypeOf(b).toEqualTypeOf<string>();
        return `${a}:${b}`;
      },
    });
  });

  it('SkillCache is typed by key and value', () => {
    const cache = new SkillCache<string, { v: number }>({ load: (key) => ({ v: key.length }) });
    expectTypeOf(cache.get('a')).toEqualTypeOf<{ v: number } | undefined>();
    expectTypeOf(cache.load('a')).toEqualTypeOf<Promise<{ v: number }>>();
    // @ts-expect-error a loader must produce the cache's value type
    cache.load('a', { loader: () => 'nope' });
    // @ts-expect-error the cache cannot hold undefined
    new SkillCache<string, undefined>();
  });
});
