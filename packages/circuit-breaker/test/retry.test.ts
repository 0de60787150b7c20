import { getEventListeners } from 'node:events';
import {
  CircuitBreaker,
  CircuitOpenError,
  isCircuitOpenError,
  isRetryableError,
  type RetryInfo,
  retry,
  TimeoutError,
} from '@mcp-exec/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadInputError, DependencyError, peek, rejectionOf } from './helpers.js';

const networkError = (code: string) => Object.assign(new Error(code), { code });

/** A function that throws the given errors in turn, then returns 'ok'. */
function failing(...errors: unknown[]) {
  const attempts: number[] = [];
  const fn = async ({ attempt }: { attempt: number }) => {
    attempts.push(attempt);
    if (attempts.length <= errors.length) throw errors[attempts.length - 1];
    return 'ok';
  };
  return { fn, attempts };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('retry', () => {
  it('backs off exponentially with full jitter from the injected random source', async () => {
    const { fn, attempts } = failing(
      networkError('ECONNRESET'),
      networkError('EPIPE'),
      networkError('EAI_AGAIN'),
    );
    const infos: RetryInfo[] = [];
    const randoms = [0.5, 0.25, 1];
    const call = retry(fn, {
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 300,
      random: () => randoms.shift()!,
      onRetry: (info) => infos.push(info),
    });
    await peek(call);
    expect(attempts).toEqual([1]);
    // 0.5 * min(300, 100): the second attempt starts at exactly 50 ms.
    await vi.advanceTimersByTimeAsync(49);
    expect(attempts).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual([1, 2]);
    // 0.25 * min(300, 200) = 50, then 1 * min(300, 400) = 300 (capped).
    await vi.advanceTimersByTimeAsync(50);
    expect(attempts).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(299);
    expect(attempts).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await call).toBe('ok');
    expect(infos.map(({ attempt, delayMs }) => [attempt, delayMs])).toEqual([
      [1, 50],
      [2, 50],
      [3, 300],
    ]);
    expect(infos[0]!.error).toMatchObject({ code: 'ECONNRESET' });
  });

  it("jitter 'none' waits the full exponential delay", async () => {
    const { fn, attempts } = failing(networkError('ECONNREFUSED'), networkError('ECONNREFUSED'));
    const call = retry(fn, { baseDelayMs: 10, jitter: 'none' });
    await vi.advanceTimersByTimeAsync(10);
    expect(attempts).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(19);
    expect(attempts).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await call).toBe('ok');
  });

  it('rejects with the last error once maxAttempts are spent', async () => {
    const last = networkError('ETIMEDOUT');
    const { fn, attempts } = failing(networkError('ECONNRESET'), last, networkError('EPIPE'));
    const call = retry(fn, { maxAttempts: 2, baseDelayMs: 1 });
    const result = rejectionOf(call);
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toBe(last);
    expect(attempts).toEqual([1, 2]);
  });

  it.each([
    ['a network code', networkError('ECONNRESET')],
    ['a TimeoutError', new TimeoutError('svc', 10)],
    ['retryable: true', Object.assign(new Error('try again'), { retryable: true })],
    [
      'a code in the cause chain (fetch)',
      new TypeError('fetch failed', { cause: networkError('ECONNREFUSED') }),
    ],
  ])('retries %s by default', async (_label, error) => {
    expect(isRetryableError(error)).toBe(true);
    const { fn, attempts } = failing(error);
    const call = retry(fn, { baseDelayMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(await call).toBe('ok');
    expect(attempts).toEqual([1, 2]);
  });

  it.each([
    ['a plain error', new DependencyError('nope')],
    [
      'retryable: false, even with a network code',
      Object.assign(networkError('ECONNRESET'), { retryable: false }),
    ],
    ['a CircuitOpenError, even if isRetryable says yes', new CircuitOpenError('svc', 'OPEN', 0)],
    ['an abort, even if isRetryable says yes', new DOMException('aborted', 'AbortError')],
    [
      'a caller error, even if isRetryable says yes',
      Object.assign(new BadInputError('bad'), { code: 'ECONNRESET' }),
    ],
  ])('does not retry %s', async (label, error) => {
    const { fn, attempts } = failing(error);
    const isRetryable = label.includes('even if') ? () => true : undefined;
    expect(await rejectionOf(retry(fn, { baseDelayMs: 0, isRetryable }))).toBe(error);
    expect(attempts).toEqual([1]);
  });

  it('a custom isRetryable sees the error and the attempt number', async () => {
    const seen: unknown[] = [];
    const error = new DependencyError('503');
    const { fn, attempts } = failing(error, error, error);
    const call = rejectionOf(
      retry(fn, {
        baseDelayMs: 0,
        maxAttempts: 5,
        isRetryable: (e, attempt) => {
          seen.push([e, attempt]);
          return attempt < 2;
        },
      }),
    );
    await vi.runAllTimersAsync();
    expect(await call).toBe(error);
    expect(attempts).toEqual([1, 2]);
    expect(seen).toEqual([
      [error, 1],
      [error, 2],
    ]);
  });

  it('an abort during backoff rejects at once with signal.reason and clears the timer', async () => {
    const { fn, attempts } = failing(networkError('ECONNRESET'));
    const controller = new AbortController();
    const call = retry(fn, { baseDelayMs: 10_000, jitter: 'none', signal: controller.signal });
    await peek(call);
    expect(vi.getTimerCount()).toBe(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(await rejectionOf(call)).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(attempts).toEqual([1]);
  });

  it('an abort during an attempt rejects at once, even if the attempt ignores its signal', async () => {
    const controller = new AbortController();
    const call = retry(() => new Promise(() => {}), { signal: controller.signal });
    controller.abort('stop');
    expect(await rejectionOf(call)).toBe('stop');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('passes the signal to each attempt and rejects at once if it is already aborted', async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    expect(await retry(({ signal }) => seen.push(signal), { signal: controller.signal })).toBe(1);
    expect(seen).toEqual([controller.signal]);
    const called = vi.fn();
    expect(await rejectionOf(retry(called, { signal: AbortSignal.abort('early') }))).toBe('early');
    expect(called).not.toHaveBeenCalled();
  });

  it.each([
    [{ maxAttempts: 0 }, 'maxAttempts must be an integer >= 1, got 0'],
    [{ baseDelayMs: -1 }, 'baseDelayMs must be an integer between 0 and 2147483647, got -1'],
    [
      { baseDelayMs: 100, maxDelayMs: 50 },
      'maxDelayMs must be an integer between 100 and 2147483647, got 50',
    ],
    [{ jitter: 'half' }, "jitter must be 'full' or 'none', got \"half\""],
    [{ random: 0.5 }, 'random must be a function, got 0.5'],
    [{ signal: {} }, 'signal must be an AbortSignal, got an object'],
  ])('rejects bad options %o with a TypeError naming the option', async (options, message) => {
    const error = await rejectionOf(retry(async () => 1, options as never));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(message);
  });
});

describe('retry through a breaker', () => {
  it('each attempt goes through the breaker and counts once; an open circuit ends the retries', async () => {
    let calls = 0;
    const breaker = new CircuitBreaker(
      async () => {
        calls++;
        throw networkError('ECONNRESET');
      },
      { failureThreshold: 3, retry: { maxAttempts: 10, baseDelayMs: 1, jitter: 'none' } },
    );
    const retries: number[] = [];
    breaker.on('retry', (info) => retries.push(info.attempt));
    const call = rejectionOf(breaker.fire());
    await vi.advanceTimersByTimeAsync(100);
    const error = await call;
    expect(calls).toBe(3);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(retries).toEqual([1, 2, 3]);
    expect(breaker.stats().window).toMatchObject({ failures: 3, rejects: 1 });
  });

  it('succeeds after transient failures, with each failure counted', async () => {
    let calls = 0;
    const breaker = new CircuitBreaker(
      async (value: string) => {
        if (++calls < 3) throw networkError('EPIPE');
        return value;
      },
      { failureThreshold: 5, retry: { baseDelayMs: 5, random: () => 0.5 } },
    );
    const call = breaker.fire('done');
    await vi.advanceTimersByTimeAsync(10);
    expect(await call).toBe('done');
    expect(breaker.stats()).toMatchObject({ consecutiveFailures: 0, window: { failures: 2, successes: 1 } });
  });

  it('gives each attempt its number in the context', async () => {
    const attempts: number[] = [];
    const breaker = new CircuitBreaker({ retry: { baseDelayMs: 0 } });
    const call = breaker.execute(async ({ attempt }) => {
      attempts.push(attempt);
      if (attempt < 3) throw networkError('ECONNRESET');
      return attempt;
    });
    await vi.runAllTimersAsync();
    expect(await call).toBe(3);
    expect(attempts).toEqual([1, 2, 3]);
  });
});
