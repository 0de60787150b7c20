import { KeySerializationError } from './errors.js';

/** Deeper nesting is refused rather than risking a stack overflow. */
const MAX_DEPTH = 1_000;

/** Where the encoder is: the objects being encoded (to catch cycles) and the path to them. */
interface Walk {
  readonly ancestors: object[];
  readonly path: (string | number)[];
}

/**
 * A deterministic string for a JSON-like value, for use as a cache key: equal values give equal
 * keys whatever the order of their properties, and different values give different keys.
 *
 * Accepted: strings, finite numbers (`-0` is kept apart from `0`), booleans, `null`, arrays and
 * plain objects (prototype `Object.prototype` or `null`) of those. Everything JSON would drop,
 * change or collapse into something else is refused with a {@link KeySerializationError} naming
 * where it is, rather than risking two different inputs sharing one key: `undefined` (a property
 * set to `undefined` would look missing), `NaN` and `±Infinity` (they would become `null`), BigInt,
 * functions, symbols and symbol-keyed properties, sparse arrays, cycles, and every other object
 * (`Date`, `Map`, `Set`, `RegExp`, typed arrays, class instances, boxed primitives).
 *
 * @example
 * ```ts
 * stableKey({ b: 1, a: [true, null] }) === stableKey({ a: [true, null], b: 1 }); // true
 * stableKey({ a: undefined }); // throws KeySerializationError: $.a is undefined (...)
 * ```
 */
export function stableKey(value: unknown): string {
  return encode(value, { ancestors: [], path: [] });
}

function encode(value: unknown, walk: Walk): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (Number.isFinite(value)) return Object.is(value, -0) ? '-0' : String(value);
      return refuse(walk, `${value} (JSON would turn it into null)`);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return refuse(walk, 'undefined (JSON would drop it or turn it into null)');
    case 'bigint':
      return refuse(walk, 'a BigInt (JSON cannot represent it; pass it as a string)');
    case 'symbol':
      return refuse(walk, 'a symbol (JSON cannot represent it)');
    case 'function':
      return refuse(walk, 'a function (JSON cannot represent it)');
  }
  if (value === null) return 'null';
  const object = value as object;
  if (walk.ancestors.includes(object)) return refuse(walk, 'a circular reference');
  if (walk.ancestors.length >= MAX_DEPTH) return refuse(walk, `nested more than ${MAX_DEPTH} levels deep`);
  const proto: unknown = Object.getPrototypeOf(object);
  walk.ancestors.push(object);
  let out: string;
  if (proto === Array.prototype && Array.isArray(object)) {
    out = encodeArray(object as unknown[], walk);
  } else if (proto === Object.prototype || proto === null) {
    out = encodeObject(object as Record<string, unknown>, walk);
  } else {
    return refuse(walk, describeObject(object));
  }
  walk.ancestors.pop();
  return out;
}

function encodeArray(array: unknown[], walk: Walk): string {
  if (Object.keys(array).length !== array.length) {
    for (let i = 0; i < array.length; i++) {
      if (!(i in array)) {
        walk.path.push(i);
        return refuse(walk, 'a hole in a sparse array (JSON would turn it into null)');
      }
    }
    return refuse(walk, 'an array with extra named properties (JSON would drop them)');
  }
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out += ',';
    walk.path.push(i);
    out += encode(array[i], walk);
    walk.path.pop();
  }
  return `${out}]`;
}

function encodeObject(object: Record<string, unknown>, walk: Walk): string {
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    if (Object.prototype.propertyIsEnumerable.call(object, symbol)) {
      return refuse(walk, `an object with a symbol-keyed property ${symbol.toString()} (JSON would drop it)`);
    }
  }
  // Default sort compares UTF-16 code units: the same order on every engine and locale.
  const keys = Object.keys(object).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) out += ',';
    walk.path.push(key);
    out += `${JSON.stringify(key)}:${encode(object[key], walk)}`;
    walk.path.pop();
  }
  return `${out}}`;
}

function describeObject(object: object): string {
  if (object instanceof Date) return 'a Date (JSON would turn it into a string; pass date.toISOString())';
  if (object instanceof Map || object instanceof Set) {
    return `a ${object instanceof Map ? 'Map' : 'Set'} (JSON would turn it into {}; pass an array of its entries)`;
  }
  if (Array.isArray(object)) return 'an array from another realm or an Array subclass (not a plain array)';
  const name = (object.constructor as { name?: unknown } | undefined)?.name;
  const kind =
    typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object with a custom prototype';
  return `${kind} (only plain objects, arrays and primitives can be keyed)`;
}

function refuse(walk: Walk, reason: string): never {
  throw new KeySerializationError(formatPath(walk.path), reason);
}

function formatPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
  }
  return out;
}
