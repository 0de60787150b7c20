import { BreakerRegistry, type CallContext, CircuitBreaker } from '@mcp-exec/circuit-breaker';
import { describe, expectTypeOf, it } from 'vitest';

describe('fire() arguments and result', () => {
  it('drops a trailing CallContext parameter, which the breaker supplies', () => {
    const breaker = new CircuitBreaker(async (url: string, retries: number, { signal }: CallContext) => {
      return { url, retries, aborted: signal.aborted };
    });
    expectTypeOf(breaker.fire).parameters.toEqualTypeOf<[string, number]>();
    expectTypeOf(breaker.fire('u', 1)).resolves.toEqualTypeOf<{
      url: string;
      retries: number;
      aborted: boolean;
    }>();
    expectTypeOf(breaker.fireWith).parameters.toEqualTypeOf<
      [{ readonly signal?: AbortSignal }, string, number]
    >();
  });

  it('keeps every parameter of an action that takes no context', () => {
    const breaker = new CircuitBreaker((a: number, b: boolean) => a + (b ? 1 : 0));
    expectTypeOf(breaker.fire).parameters.toEqualTypeOf<[number, boolean]>();
    expectTypeOf(breaker.fire(1, true)).resolves.toBeNumber();
  });

  it('keeps a last parameter that is not a context, even an unknown one', () => {
    const breaker = new CircuitBreaker(async (value: unknown) => value);
    expectTypeOf(breaker.fire).parameters.toEqualTypeOf<[unknown]>();
  });

  it('types the fallback from the action', () => {
    new CircuitBreaker(async (id: number, _context: CallContext) => `user ${id}`, {
      fallback: (id, error) => {
        expectTypeOf(id).toBeNumber();
        expectTypeOf(error).toBeUnknown();
        return 'anonymous';
      },
    });
  });
});

describe('execute()', () => {
  it('infers the result from the guarded function, on a registry breaker too', () => {
    const registry = new BreakerRegistry();
    const result = registry.get('skill').execute(async ({ signal, attempt }) => {
      expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf(attempt).toBeNumber();
      return [1, 2, 3];
    });
    expectTypeOf(result).resolves.toEqualTypeOf<number[]>();
    // A breaker without an action has nothing to fire.
    expectTypeOf(registry.get('skill').fire).parameters.toEqualTypeOf<[]>();
    expectTypeOf(registry.get('skill').fire()).resolves.toBeNever();
  });
});
