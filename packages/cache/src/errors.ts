/**
 * Every error this package raises carries a `Symbol.for` brand as well as a stable `code`, so the
 * `isXError` guards still recognise it when two copies of the package are installed (each copy has
 * its own classes, so `instanceof` alone would fail across them).
 */
import { describe } from './describe.js';

const missingLoaderBrand = Symbol.for('@mcp-exec/cache.MissingLoaderError');
const undefinedValueBrand = Symbol.for('@mcp-exec/cache.UndefinedValueError');
const keySerializationBrand = Symbol.for('@mcp-exec/cache.KeySerializationError');

function hasBrand(error: unknown, brand: symbol): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}

/** `load()` was called without a per-call `loader` on a cache that has no default `load`. */
export class MissingLoaderError extends Error {
  override readonly name = 'MissingLoaderError';
  readonly code = 'ECACHENOLOADER';
  readonly [missingLoaderBrand] = true;
  /** The key that could not be loaded. */
  readonly key: unknown;

  constructor(key: unknown) {
    super(
      `cannot load ${describe(key)}: pass { loader } to load() or a default load function in the SkillCache options`,
    );
    this.key = key;
  }
}

/**
 * The cache cannot hold `undefined` (lru-cache uses it to mean "absent"): `set()` was given it, or a
 * loader resolved with it. Wrap such values, e.g. `{ value: undefined }`.
 */
export class UndefinedValueError extends Error {
  override readonly name = 'UndefinedValueError';
  readonly code = 'ECACHEUNDEFINED';
  readonly [undefinedValueBrand] = true;
  /** The key whose value was `undefined`. */
  readonly key: unknown;

  constructor(key: unknown, source: 'set' | 'loader') {
    const what = source === 'set' ? 'set() was given undefined' : 'the loader resolved with undefined';
    super(
      `cannot cache ${describe(key)}: ${what}; the cache cannot hold undefined (wrap it: { value: undefined })`,
    );
    this.key = key;
  }
}

/** `stableKey()` met a value that JSON cannot represent faithfully, so it refused to make a key. */
export class KeySerializationError extends Error {
  override readonly name = 'KeySerializationError';
  readonly code = 'ECACHEKEY';
  readonly [keySerializationBrand] = true;
  /** Where the value sits in the keyed argument, e.g. `$[0].when`. */
  readonly path: string;
  /** Why it was refused, e.g. `a Date (JSON would turn it into a string)`. */
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`cannot make a stable key: ${path} is ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

/** True for a {@link MissingLoaderError}, from this or any other installed copy of the package. */
export function isMissingLoaderError(error: unknown): error is MissingLoaderError {
  return hasBrand(error, missingLoaderBrand);
}

/** True for an {@link UndefinedValueError}, from this or any other installed copy of the package. */
export function isUndefinedValueError(error: unknown): error is UndefinedValueError {
  return hasBrand(error, undefinedValueBrand);
}

/** True for a {@link KeySerializationError}, from this or any other installed copy of the package. */
export function isKeySerializationError(error: unknown): error is KeySerializationError {
  return hasBrand(error, keySerializationBrand);
}
