/**
 * True when `value` carries `brand`. Brands are registered symbols (`Symbol.for`), so a guard
 * recognises errors thrown by another installed copy of this package too, where `instanceof`
 * would not.
 */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
