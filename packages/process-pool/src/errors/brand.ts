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
