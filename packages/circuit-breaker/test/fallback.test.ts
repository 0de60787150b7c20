import { CircuitBreaker, isCircuitOpenError, isTimeoutError } from '@mcp-exec/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadInputError, DependencyError, rejectionOf } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('fallback', () => {
  it('answers a failure with the call arguments and the error, and emits fallback', async () => {
    const failure = new DependencyError('down');
    const seen: unknown[][] = [];
    const breaker = new CircuitBreaker(
      async (_id: number, _label: string): Promise<string> => {
        throw failure;
      },
      {
        fallback: (id, label, error) => {
          seen.push([id, label, error]);
          return `cached ${id}`;
        },
      },
    );
    const fallbacks: unknown[][] = [];
    breaker.on('fallback', (result, error) => fallbacks.push([result, error]));
    expect(await breaker.fire(7, 'user')).toBe('cached 7');
    expect(seen).toEqual([[7, 'user', failure]]);
    expect(fallbacks).toEqual([['cached 7', failure]]);
    expect(breaker.stats().window.failures).toBe(1);
  });

  it('answers an open circuit and a timeout', async () => {
    const errors: unknown[] = [];
    const breaker = new CircuitBreaker((_x: number) => new Promise<string>(() => {}), {
      timeout: 10,
      failureThreshold: 1,
      fallback: async (_x, error) => {
        errors.push(error);
        return 'fallback';
      },
    });
    const first = breaker.fire(1);
    vi.advanceTimersByTime(10);
    expect(await first).toBe('fallback');
    expect(await breaker.fire(2)).toBe('fallback');
    expect(isTimeoutError(errors[0])).toBe(true);
    expect(isCircuitOpenError(errors[1])).toBe(true);
  });

  it('never sees caller errors, aborts or a shut-down breaker', async () => {
    const fallback = vi.fn(() => 'fallback');
    const badInput = new BadInputError('bad');
    const breaker = new CircuitBreaker(
      async (kind: string) => {
        if (kind === 'bad') throw badInput;
        return new Promise<string>(() => {});
      },
      { fallback },
    );
    expect(await rejectionOf(breaker.fire('bad'))).toBe(badInput);
    const controller = new AbortController();
    const call = breaker.fireWith({ signal: controller.signal }, 'hang');
    controller.abort('stop');
    expect(await rejectionOf(call)).toBe('stop');
    breaker.shutdown();
    expect(await rejectionOf(breaker.fire('x'))).toMatchObject({ code: 'ESHUTDOWN' });
    expect(fallback).not.toHaveBeenCalled();
  });

  it('rejects with the fallback error when the fallback itself fails', async () => {
    const fallbackError = new Error('no cache either');
    const breaker = new CircuitBreaker(
      async (): Promise<string> => {
        throw new DependencyError('down');
      },
      {
        fallback: () => {
          throw fallbackError;
        },
      },
    );
    expect(await rejectionOf(breaker.fire())).toBe(fallbackError);
  });

  it('applies after retries are spent, once', async () => {
    let calls = 0;
    const fallback = vi.fn(() => 'fallback');
    const breaker = new CircuitBreaker(
      async (): Promise<string> => {
        calls++;
        throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
      },
      { fallback, retry: { maxAttempts: 3, baseDelayMs: 0 } },
    );
    const call = breaker.fire();
    await vi.runAllTimersAsync();
    expect(await call).toBe('fallback');
    expect(calls).toBe(3);
    expect(fallback).toHaveBeenCalledTimes(1);
  });

  it('execute takes a per-call fallback', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    const result = await breaker.execute(
      async () => {
        throw new DependencyError('down');
      },
      { fallback: (error) => `fallback for ${(error as Error).message}` },
    );
    expect(result).toBe('fallback for down');
    expect(await breaker.execute(async () => 'x', { fallback: () => 'open' })).toBe('open');
  });
});
