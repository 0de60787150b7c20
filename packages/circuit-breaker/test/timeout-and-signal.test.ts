import { getEventListeners } from 'node:events';
import {
  type CallContext,
  CircuitBreaker,
  isBreakerShutdownError,
  isTimeoutError,
  TimeoutError,
} from '@mcp-exec/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Deferred, deferred, peek, rejectionOf } from './helpers.js';

/** Records each call's signal and leaves the call pending until the test settles it. */
function signalRecorder() {
  const calls: { signal: AbortSignal; done: Deferred<string> }[] = [];
  const action = (_label: string, { signal }: CallContext): Promise<string> => {
    const done = deferred<string>();
    calls.push({ signal, done });
    return done.promise;
  };
  return { calls, action };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('timeout', () => {
  it('aborts only the call that overran, rejects it with a TimeoutError and counts a failure', async () => {
    const { calls, action } = signalRecorder();
    const breaker = new CircuitBreaker(action, { name: 'svc', timeout: 100, failureThreshold: 2 });
    const timeouts: unknown[] = [];
    breaker.on('timeout', (error) => timeouts.push(error));
    const first = breaker.fire('first');
    vi.advanceTimersByTime(50);
    const second = breaker.fire('second');
    expect(vi.getTimerCount()).toBe(2);

    vi.advanceTimersByTime(50);
    const error = await rejectionOf(first);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', timeoutMs: 100, breakerName: 'svc' });
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[0]!.signal.reason).toBe(error);
    expect(calls[1]!.signal.aborted).toBe(false);
    expect(calls[0]!.signal).not.toBe(calls[1]!.signal);
    expect(timeouts).toEqual([error]);
    expect(breaker.stats().window).toMatchObject({ failures: 1, timeouts: 1 });

    calls[1]!.done.resolve('in time');
    expect(await second).toBe('in time');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind once calls settle, and ignores a late result', async () => {
    const { calls, action } = signalRecorder();
    const breaker = new CircuitBreaker(action, { timeout: 100, failureThreshold: 5 });
    const ok = breaker.fire('ok');
    calls[0]!.done.resolve('fast');
    await ok;
    expect(vi.getTimerCount()).toBe(0);

    const slow = breaker.fire('slow');
    vi.advanceTimersByTime(100);
    await rejectionOf(slow);
    calls[1]!.done.resolve('too late');
    await Promise.resolve();
    expect(breaker.stats().window).toMatchObject({ successes: 1, failures: 1 });
  });

  it('creates no timer and no controller for a call without timeout or signal', async () => {
    const signals: AbortSignal[] = [];
    const breaker = new CircuitBreaker(async (_x: number, { signal }: CallContext) => {
      signals.push(signal);
      return vi.getTimerCount();
    });
    expect(await breaker.fire(1)).toBe(0);
    await breaker.fire(2);
    expect(signals[0]).toBe(signals[1]);
    expect(signals[0]!.aborted).toBe(false);
  });

  it('times out each retry attempt on its own', async () => {
    const { calls, action } = signalRecorder();
    const breaker = new CircuitBreaker(action, {
      timeout: 100,
      failureThreshold: 10,
      retry: { maxAttempts: 2, baseDelayMs: 10, jitter: 'none' },
    });
    const call = breaker.fire('x');
    vi.advanceTimersByTime(100);
    await peek(call);
    vi.advanceTimersByTime(10);
    await peek(call);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[1]!.signal.aborted).toBe(false);
    calls[1]!.done.resolve('second attempt');
    expect(await call).toBe('second attempt');
  });
});

describe('caller signal', () => {
  it('an abort rejects at once with signal.reason, aborts the call, and is never counted', async () => {
    const { calls, action } = signalRecorder();
    const breaker = new CircuitBreaker(action, { timeout: 1_000, failureThreshold: 1 });
    const controller = new AbortController();
    const call = breaker.fireWith({ signal: controller.signal }, 'x');
    const reason = new Error('user cancelled');
    controller.abort(reason);
    expect(await rejectionOf(call)).toBe(reason);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[0]!.signal.reason).toBe(reason);
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats().window).toMatchObject({ failures: 0, ignored: 1 });
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('without a timeout, passes the caller signal itself through and removes its listener after', async () => {
    const { calls, action } = signalRecorder();
    const breaker = new CircuitBreaker(action);
    const controller = new AbortController();
    const call = breaker.fireWith({ signal: controller.signal }, 'x');
    expect(calls[0]!.signal).toBe(controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    calls[0]!.done.resolve('done');
    expect(await call).toBe('done');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('an already aborted signal rejects without calling the action', async () => {
    const { calls, action } = signalRecorder();
    const breaker = new CircuitBreaker(action);
    const reason = new Error('already gone');
    expect(await rejectionOf(breaker.fireWith({ signal: AbortSignal.abort(reason) }, 'x'))).toBe(reason);
    expect(await rejectionOf(breaker.execute(async () => 1, { signal: AbortSignal.abort(reason) }))).toBe(
      reason,
    );
    expect(calls).toHaveLength(0);
  });

  it('a bad signal is a TypeError naming it', async () => {
    const breaker = new CircuitBreaker(async () => 1);
    const error = await rejectionOf(breaker.fireWith({ signal: 'nope' as never }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('signal must be an AbortSignal, got "nope"');
  });
});

describe('shutdown', () => {
  it('rejects waiting calls, aborts their signals, and leaves no timer or listener', async () => {
    const { calls, action } = signalRecorder();
    const breaker = new CircuitBreaker(action, {
      timeout: 1_000,
      failureThreshold: 1,
      retry: { maxAttempts: 3, baseDelayMs: 500, jitter: 'none' },
    });
    const controller = new AbortController();
    const waiting = breaker.fireWith({ signal: controller.signal }, 'waiting');
    const backingOff = breaker.fire('backing off');
    calls[1]!.done.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    await peek(backingOff);
    breaker.open();
    breaker.on('open', () => {});
    expect(vi.getTimerCount()).toBe(3);

    const events: string[] = [];
    breaker.on('shutdown', () => events.push('shutdown'));
    breaker.shutdown();
    breaker.shutdown();
    expect(events).toEqual(['shutdown']);
    expect(isBreakerShutdownError(await rejectionOf(waiting))).toBe(true);
    expect(isBreakerShutdownError(await rejectionOf(backingOff))).toBe(true);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(breaker.eventNames()).toEqual([]);

    const after = await rejectionOf(breaker.fire('after'));
    expect(after).toMatchObject({ code: 'ESHUTDOWN', message: 'Circuit "action" has been shut down' });
    expect(calls).toHaveLength(2);
    expect(breaker.isShutdown).toBe(true);
  });
});
