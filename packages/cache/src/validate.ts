import { describe as show } from './describe.js';

/** Throws a TypeError naming the option unless `value` is an integer in `[min, max]`. */
export function checkInteger(name: string, value: unknown, min: number, max: number, hint = ''): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new TypeError(`${name} must be an integer ${range}${hint}, got ${show(value)}`);
  }
}

/** Throws a TypeError naming the option unless `value` is a millisecond TTL (0 = no expiry). */
export function checkTtl(name: string, value: unknown): void {
  checkInteger(name, value, 0, Number.MAX_SAFE_INTEGER, ' (milliseconds; 0 = no expiry)');
}

/** Throws a TypeError naming the option unless `value` is undefined or a function. */
export function checkOptionalFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, got ${show(value)}`);
  }
}

/** Throws a TypeError naming the option unless `value` is undefined or a boolean. */
export function checkOptionalBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${name} must be a boolean, got ${show(value)}`);
  }
}

/** Throws a TypeError unless `value` is undefined or a (non-array) object. */
export function checkOptionsObject(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new TypeError(`${name} must be an object, got ${show(value)}`);
  }
}

/**
 * Throws a TypeError unless `value` is undefined or looks like an AbortSignal (duck-typed, so a
 * signal from another realm or a polyfill is accepted).
 */
export function checkOptionalSignal(name: string, value: unknown): void {
  const signal = value as Partial<AbortSignal> | null;
  if (
    value !== undefined &&
    (typeof value !== 'object' ||
      signal === null ||
      typeof signal.aborted !== 'boolean' ||
      typeof signal.addEventListener !== 'function' ||
      typeof signal.removeEventListener !== 'function')
  ) {
    throw new TypeError(`${name} must be an AbortSignal, got ${show(value)}`);
  }
}
