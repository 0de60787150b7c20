import { CircuitBreaker, type CircuitBreakerOptions } from '@mcp-exec/circuit-breaker';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers.js';

const action = async () => 1;

describe('options', () => {
  it.each<[CircuitBreakerOptions<typeof action>, string]>([
    [{ failureThreshold: 0 }, 'failureThreshold must be an integer >= 1, got 0'],
    [{ failureThreshold: 1.5 }, 'failureThreshold must be an integer >= 1, got 1.5'],
    [{ failureThreshold: false }, 'failureThreshold and errorThresholdPercentage cannot both be false'],
    [
      { errorThresholdPercentage: 0 },
      'errorThresholdPercentage must be a number > 0 and <= 100 or false, got 0',
    ],
    [
      { errorThresholdPercentage: 101 },
      'errorThresholdPercentage must be a number > 0 and <= 100 or false, got 101',
    ],
    [{ volumeThreshold: 0 }, 'volumeThreshold must be an integer >= 1, got 0'],
    [{ rollingWindowMs: 0 }, 'rollingWindowMs must be a number between 1 and 2147483647, got 0'],
    [
      { rollingWindowMs: 100, rollingBuckets: 101 },
      'rollingBuckets must be an integer between 1 and 100, got 101',
    ],
    [{ resetTimeout: Number.NaN }, 'resetTimeout must be an integer between 0 and 2147483647, got NaN'],
    [{ resetTimeout: 2 ** 31 }, 'resetTimeout must be an integer between 0 and 2147483647, got 2147483648'],
    [{ halfOpenMaxCalls: 0 }, 'halfOpenMaxCalls must be an integer >= 1, got 0'],
    [{ successThreshold: -1 }, 'successThreshold must be an integer >= 1, got -1'],
    [{ timeout: 0 }, 'timeout must be an integer between 1 and 2147483647, got 0'],
    [{ timeout: true as never }, 'timeout must be an integer between 1 and 2147483647, got true'],
    [{ isFailure: 'yes' as never }, 'isFailure must be a function, got "yes"'],
    [{ retry: true as never }, 'retry must be an object or false, got true'],
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts must be an integer >= 1, got 0'],
    [{ fallback: {} as never }, 'fallback must be a function, got an object'],
    [{ name: '' }, 'name must be a non-empty string, got ""'],
    [{ now: 5 as never }, 'now must be a function, got 5'],
    [
      { initialState: { state: 'OPEN', lastTransitionAt: 'yesterday' as never } },
      'initialState.lastTransitionAt must be a finite number, got "yesterday"',
    ],
  ])('%o is a TypeError: %s', (options, message) => {
    expect(() => new CircuitBreaker(action, options)).toThrow(new TypeError(message));
  });

  it('accepts percentage mode alone, and names the action by default', () => {
    const breaker = new CircuitBreaker(action, { failureThreshold: false, errorThresholdPercentage: 50 });
    expect(breaker.name).toBe('action');
    expect(new CircuitBreaker().name).toBe('breaker');
  });

  it('rejects an action that is not a function, and fire() on a breaker without one', async () => {
    expect(() => new CircuitBreaker(42 as never, {})).toThrow(
      new TypeError('action must be a function, got 42'),
    );
    expect(() => new CircuitBreaker('x' as never)).toThrow(
      new TypeError('options must be an object, got "x"'),
    );
    const breaker = new CircuitBreaker({ name: 'bare' });
    const error = await rejectionOf(breaker.fire());
    expect(error).toEqual(new TypeError('Circuit "bare" has no action: call execute(fn) instead'));
    expect(await rejectionOf(breaker.execute('nope' as never))).toEqual(
      new TypeError('fn must be a function, got "nope"'),
    );
  });
});
