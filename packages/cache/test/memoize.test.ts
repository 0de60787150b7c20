import { describe, expect, it, vi } from 'vitest';
import {
  isKeySerializationError,
  isUndefinedValueError,
  memoize,
  SkillCache,
  stableKey,
} from '../src/index.js';
import { deferred, flushPromises } from './support.js';

describe('memoize', () => {
  it('calls fn once per distinct arguments, whatever their property order', async () => {
    const fn = vi.fn(async (shape: { w: number; h: number }, scale: number) => shape.w * shape.h * scale);
    const area = memoize(fn);
    await expect(area({ w: 2, h: 3 }, 1)).resolves.toBe(6);
    await expect(area({ h: 3, w: 2 }, 1)).resolves.toBe(6);
    await expect(area({ w: 2, h: 3 }, 2)).resolves.toBe(12);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(area.cache.stats()).toMatchObject({ hits: 1, misses: 2, loads: 2 });
  });

  it('memoizes synchronous functions too (the result is always a promise)', async () => {
    const double = memoize((n: number) => n * 2);
    await expect(double(4)).resolves.toBe(8);
  });

  it('shares one call among concurrent calls with the same arguments', async () => {
    const gate = deferred<string>();
    const fn = vi.fn((_input: { q: string }) => gate.promise);
    const memoized = memoize(fn);
    const calls = [memoized({ q: 'x' }), memoized({ q: 'x' }), memoized({ q: 'x' })];
    await flushPromises();
    expect(fn).toHaveBeenCalledTimes(1);
    gate.resolve('done');
    expect(await Promise.all(calls)).toEqual(['done', 'done', 'done']);
  });

  it('does not cache a failure', async () => {
    let attempt = 0;
    const flaky = memoize(async (n: number) => {
      attempt++;
      if (attempt === 1) throw new Error('first try fails');
      return n;
    });
    await expect(flaky(1)).rejects.toThrow('first try fails');
    await expect(flaky(1)).resolves.toBe(1);
    expect(attempt).toBe(2);
  });

  it('rejects (never throws) with a typed error for arguments it cannot key, and does not call fn', async () => {
    const fn = vi.fn((_when: unknown) => 1);
    const memoized = memoize(fn);
    const result = memoized(new Date(0));
    expect(result).toBeInstanceOf(Promise);
    const error = await result.catch((e: unknown) => e);
    expect(isKeySerializationError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^cannot make a stable key: \$\[0\] is a Date/);
    await expect(memoized(undefined)).rejects.toThrow(/\$\[0\] is undefined/);
    expect(fn).not.toHaveBeenCalled();
  });

  it('uses a custom key function and a shared cache', async () => {
    const cache = new SkillCache<string, number>({ maxSize: 5 });
    const fn = vi.fn(
      (skill: { hash: string; run: () => number }, input: object) => skill.run() + Object.keys(input).length,
    );
    const memoized = memoize(fn, { cache, key: (skill, input) => stableKey([skill.hash, input]) });
    const skill = { hash: 'abc', run: () => 10 }; // a function inside: only the hash goes into the key
    await expect(memoized(skill, { a: 1 })).resolves.toBe(11);
    await expect(memoized({ ...skill }, { a: 1 })).resolves.toBe(11);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(memoized.cache).toBe(cache);
    expect(cache.get(stableKey(['abc', { a: 1 }]))).toBe(11);
  });

  it('a key function that throws makes the call reject', async () => {
    const boom = new Error('bad key');
    const memoized = memoize((n: number) => n, {
      key: () => {
        throw boom;
      },
    });
    await expect(memoized(1)).rejects.toBe(boom);
  });

  it('refuses an undefined result with a typed error', async () => {
    const memoized = memoize(() => undefined as unknown as number);
    const error = await memoized().catch((e: unknown) => e);
    expect(isUndefinedValueError(error)).toBe(true);
  });

  it('validates its arguments', () => {
    expect(() => memoize(5 as never)).toThrow(new TypeError('fn must be a function'));
    expect(() => memoize(() => 1, { key: 'k' as never })).toThrow(
      new TypeError('key must be a function, got "k"'),
    );
    expect(() => memoize(() => 1, { cache: new Map() as never })).toThrow(
      new TypeError('cache must be a SkillCache'),
    );
    expect(() => memoize(() => 1, null as never)).toThrow(
      new TypeError('options must be an object, got null'),
    );
  });
});
