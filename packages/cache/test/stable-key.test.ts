import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKeySerializationError, type KeySerializationError, stableKey } from '../src/index.js';

function refusal(value: unknown): KeySerializationError {
  try {
    stableKey(value);
  } catch (error) {
    if (isKeySerializationError(error)) return error;
    throw error;
  }
  throw new Error(`stableKey accepted ${String(value)}`);
}

/** The same value with every object's properties inserted in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) {
    Object.defineProperty(out, key, {
      value: reversed((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

describe('stableKey', () => {
  it('encodes JSON values canonically', () => {
    expect(stableKey(null)).toBe('null');
    expect(stableKey(true)).toBe('true');
    expect(stableKey(1.5)).toBe('1.5');
    expect(stableKey('a"b')).toBe('"a\\"b"');
    expect(stableKey({ b: [1, { d: null, c: 'x' }], a: false })).toBe(
      '{"a":false,"b":[1,{"c":"x","d":null}]}',
    );
    expect(stableKey([])).toBe('[]');
    expect(stableKey({})).toBe('{}');
  });

  it('ignores property order', () => {
    expect(stableKey({ a: 1, b: { c: 2, d: 3 } })).toBe(stableKey({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('separates values that JSON text would confuse', () => {
    const values: unknown[] = [0, -0, '0', null, 'null', [], {}, [null], '', [''], { '': '' }, 1e21, '1e+21'];
    const keys = values.map((v) => stableKey(v));
    expect(new Set(keys).size).toBe(values.length);
  });

  it('accepts null-prototype objects and repeated (non-cyclic) references', () => {
    const shared = { x: 1 };
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(stableKey([shared, shared])).toBe('[{"x":1},{"x":1}]');
    expect(stableKey(bare)).toBe(stableKey({ a: 1 }));
  });

  it.each([
    ['undefined property', { a: undefined }, '$.a', /^undefined/],
    ['undefined element', [1, undefined], '$[1]', /^undefined/],
    ['top-level undefined', undefined, '$', /^undefined/],
    ['NaN', { n: Number.NaN }, '$.n', /^NaN \(JSON would turn it into null\)/],
    ['Infinity', [Number.POSITIVE_INFINITY], '$[0]', /^Infinity/],
    ['-Infinity', Number.NEGATIVE_INFINITY, '$', /^-Infinity/],
    ['BigInt', { big: 10n }, '$.big', /^a BigInt/],
    ['function', { f: () => 1 }, '$.f', /^a function/],
    ['symbol', [Symbol('s')], '$[0]', /^a symbol/],
    ['symbol key', { [Symbol('s')]: 1 }, '$', /symbol-keyed property Symbol\(s\)/],
    ['Date', { when: new Date(0) }, '$.when', /^a Date \(JSON would turn it into a string/],
    ['Map', new Map([[1, 2]]), '$', /^a Map/],
    ['Set', { s: new Set() }, '$.s', /^a Set/],
    ['RegExp', /x/, '$', /^an instance of RegExp/],
    ['class instance', new (class Point {})(), '$', /^an instance of Point/],
    ['boxed string', { s: Object('x') }, '$.s', /^an instance of String/],
    ['typed array', new Uint8Array(2), '$', /^an instance of Uint8Array/],
    ['sparse array', Object.assign(new Array(3), { 0: 1, 2: 3 }), '$[1]', /^a hole in a sparse array/],
    ['array with extra properties', Object.assign([1], { extra: 2 }), '$', /^an array with extra named/],
    ['odd property names', { 'a b': { 'x-y': [undefined] } }, '$["a b"]["x-y"][0]', /^undefined/],
  ])('refuses %s with a typed error naming where it is', (_name, value, path, reason) => {
    const error = refusal(value);
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(reason);
    expect(error.message).toBe(`cannot make a stable key: ${path} is ${error.reason}`);
  });

  it('refuses cycles', () => {
    const node: { name: string; self?: unknown } = { name: 'n' };
    node.self = { back: node };
    const error = refusal({ root: node });
    expect(error.path).toBe('$.root.self.back');
    expect(error.reason).toBe('a circular reference');
  });

  it('refuses nesting deeper than 1000 levels instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_001; i++) deep = [deep];
    expect(refusal(deep).reason).toBe('nested more than 1000 levels deep');
    let ok: unknown = 1;
    for (let i = 0; i < 1_000; i++) ok = [ok];
    expect(stableKey(ok)).toHaveLength(2_001);
  });

  it('property: the key ignores property order', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => stableKey(reversed(value)) === stableKey(value)));
  });

  it('property: the key is JSON that decodes back to the value, so different values never share a key', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => isDeepStrictEqual(JSON.parse(stableKey(value)), value)));
  });

  it('property: two values share a key exactly when they are deeply equal', () => {
    const small = fc.jsonValue({ maxDepth: 2 });
    fc.assert(
      fc.property(small, small, (a, b) => (stableKey(a) === stableKey(b)) === isDeepStrictEqual(a, b)),
    );
  });

  it('property: any value is either refused with a typed error or keyed faithfully', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        let key: string;
        try {
          key = stableKey(value);
        } catch (error) {
          return isKeySerializationError(error);
        }
        return isDeepStrictEqual(JSON.parse(key), value);
      }),
    );
  });
});
