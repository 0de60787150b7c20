import { describe, expect, it, vi } from 'vitest';
import * as cache from '../src/index.js';

const cases = [
  {
    make: () => new cache.MissingLoaderError('k'),
    Class: cache.MissingLoaderError,
    guard: cache.isMissingLoaderError,
    name: 'MissingLoaderError',
    code: 'ECACHENOLOADER',
  },
  {
    make: () => new cache.UndefinedValueError('k', 'loader'),
    Class: cache.UndefinedValueError,
    guard: cache.isUndefinedValueError,
    name: 'UndefinedValueError',
    code: 'ECACHEUNDEFINED',
  },
  {
    make: () => new cache.KeySerializationError('$.a', 'undefined'),
    Class: cache.KeySerializationError,
    guard: cache.isKeySerializationError,
    name: 'KeySerializationError',
    code: 'ECACHEKEY',
  },
] as const;

describe.each(cases)('$name', ({ make, Class, guard, name, code }) => {
  it('is an Error with a name, a stable code and a guard', () => {
    const error = make();
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(Class);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(guard(error)).toBe(true);
  });

  it('the guard rejects everything else', () => {
    for (const other of cases) if (other.name !== name) expect(guard(other.make())).toBe(false);
    expect(guard(new Error(name))).toBe(false);
    expect(guard({ name, code })).toBe(false);
    expect(guard(null)).toBe(false);
    expect(guard(undefined)).toBe(false);
    expect(guard(code)).toBe(false);
  });

  it('the guard recognises the error from another installed copy of the package', async () => {
    vi.resetModules();
    const copy = (await import('../src/index.js')) as typeof cache;
    const Foreign = copy[name] as unknown as new (...args: string[]) => Error;
    const foreign = new Foreign('k', 'loader');
    expect(foreign).not.toBeInstanceOf(Class);
    expect(guard(foreign)).toBe(true);
  });
});
