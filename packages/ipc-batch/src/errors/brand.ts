/**
 * Errors carry a `Symbol.for` brand rather than relying on `instanceof` alone: two installed
 * copies of this package share the global symbol registry, but not their classes.
 */
export function setBrand(error: Error, brand: symbol): void {
  Object.defineProperty(error, brand, { value: true, enumerable: false });
}

export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Builds an error without capturing a stack trace: used for rejections that happen on the hot
 * path under load (a full queue), where the trace costs more than the work and says nothing.
 */
export function withoutStack<E extends Error>(create: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return create();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
