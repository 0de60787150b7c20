/** The longest delay `setTimeout` honours; anything longer fires after 1 ms instead. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Renders a received option value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** Returns `value` if it is an integer in [min, max], else throws a TypeError naming the option. */
export function integerOption(
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
  throw new TypeError(`${name} must be an integer ${range}, got ${show(value)}`);
}

/** Returns `value` if it is a finite number in [min, max], else throws a TypeError naming the option. */
export function numberOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  throw new TypeError(`${name} must be a number between ${min} and ${max}, got ${show(value)}`);
}

/** Returns `value` if it is a finite number, else throws a TypeError naming the option. */
export function finiteOption(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new TypeError(`${name} must be a finite number, got ${show(value)}`);
}

/** Returns `value` if it is a function, else throws a TypeError naming the option. */
export function functionOption<F>(name: string, value: unknown): F {
  if (typeof value === 'function') return value as F;
  throw new TypeError(`${name} must be a function, got ${show(value)}`);
}

/** Throws unless `value` looks like an AbortSignal (or is undefined). Duck-typed: polyfills count. */
export function signalOption(name: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Partial<AbortSignal> | null;
  if (typeof candidate?.aborted === 'boolean' && typeof candidate.addEventListener === 'function') {
    return value as AbortSignal;
  }
  throw new TypeError(`${name} must be an AbortSignal, got ${show(value)}`);
}
