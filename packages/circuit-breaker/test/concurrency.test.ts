import { CircuitBreaker, isCircuitOpenError } from '@mcp-exec/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Deferred, DependencyError, deferred, peek, rejectionOf } from './helpers.js';

/** An action whose calls stay pending until the test settles them, in call order. */
function manualService() {
  const pending: Deferred<string>[] = [];
  const action = (): Promise<string> => {
    const call = deferred<string>();
    pending.push(call);
    return call.promise;
  };
  return { pending, action };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function openThenHalfOpen(breaker: CircuitBreaker<() => Promise<string>>, pending: Deferred<string>[]) {
  const first = breaker.fire();
  pending.at(-1)!.reject(new DependencyError('down'));
  await rejectionOf(first);
  expect(breaker.state).toBe('OPEN');
  vi.advanceTimersByTime(1_000);
  expect(breaker.state).toBe('HALF_OPEN');
}

describe('HALF_OPEN concurrency', () => {
  it.each([1, 3])('lets exactly halfOpenMaxCalls = %i trial calls reach the action', async (maxCalls) => {
    const { pending, action } = manualService();
    const breaker = new CircuitBreaker(action, {
      failureThreshold: 1,
      resetTimeout: 1_000,
      halfOpenMaxCalls: maxCalls,
      successThreshold: 10,
    });
    await openThenHalfOpen(breaker, pending);
    const before = pending.length;

    const calls = Array.from({ length: 20 }, () => breaker.fire());
    expect(pending.length - before).toBe(maxCalls);
    const states = await Promise.all(calls.map((call) => peek(call)));
    expect(states.filter((s) => s.state === 'pending')).toHaveLength(maxCalls);
    const rejected = states.filter((s) => s.state === 'rejected');
    expect(rejected).toHaveLength(20 - maxCalls);
    for (const r of rejected) {
      expect(isCircuitOpenError(r.state === 'rejected' && r.error)).toBe(true);
      expect(r).toMatchObject({ error: { state: 'HALF_OPEN', retryAt: null } });
    }
    expect(breaker.stats().halfOpenInFlight).toBe(maxCalls);

    // A finished trial frees its slot for exactly one more caller.
    pending.at(-1)!.resolve('ok');
    expect(await calls[maxCalls - 1]).toBe('ok');
    const next = breaker.fire();
    const turnedAway = breaker.fire();
    expect(pending.length - before).toBe(maxCalls + 1);
    expect(isCircuitOpenError(await rejectionOf(turnedAway))).toBe(true);
    for (const call of pending) call.resolve('done');
    expect(await next).toBe('done');
    await Promise.allSettled(calls);
    expect(breaker.stats()).toMatchObject({
      state: 'HALF_OPEN',
      halfOpenInFlight: 0,
      halfOpenSuccesses: maxCalls + 1,
    });
  });
});

describe('results of calls started under an earlier state', () => {
  it('a call started while CLOSED cannot close the circuit during HALF_OPEN', async () => {
    const { pending, action } = manualService();
    const breaker = new CircuitBreaker(action, { failureThreshold: 1, resetTimeout: 1_000 });
    const successes: boolean[] = [];
    breaker.on('success', (stale) => successes.push(stale));
    const slow = breaker.fire();
    const slowCall = pending[0]!;
    await openThenHalfOpen(breaker, pending);

    slowCall.resolve('late but fine');
    expect(await slow).toBe('late but fine');
    expect(breaker.state).toBe('HALF_OPEN');
    expect(successes).toEqual([true]);
    expect(breaker.stats().window.successes).toBe(0);
  });

  it('a call started while CLOSED cannot reopen a HALF_OPEN circuit or open a closed one', async () => {
    const { pending, action } = manualService();
    const breaker = new CircuitBreaker(action, { failureThreshold: 1, resetTimeout: 1_000 });
    const failures: boolean[] = [];
    breaker.on('failure', (_error, stale) => failures.push(stale));
    const slowA = breaker.fire();
    const slowB = breaker.fire();
    const [callA, callB] = [pending[0]!, pending[1]!];
    await openThenHalfOpen(breaker, pending);

    callA.reject(new DependencyError('late failure'));
    await rejectionOf(slowA);
    expect(breaker.state).toBe('HALF_OPEN');

    const trial = breaker.fire();
    pending.at(-1)!.resolve('recovered');
    await trial;
    expect(breaker.state).toBe('CLOSED');

    callB.reject(new DependencyError('another late failure'));
    await rejectionOf(slowB);
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats().consecutiveFailures).toBe(0);
    expect(failures).toEqual([false, true, true]);
  });

  it('a trial from an earlier HALF_OPEN period cannot decide the current one', async () => {
    const { pending, action } = manualService();
    const breaker = new CircuitBreaker(action, {
      failureThreshold: 1,
      resetTimeout: 1_000,
      halfOpenMaxCalls: 2,
    });
    await openThenHalfOpen(breaker, pending);
    const trialA = breaker.fire();
    const trialB = breaker.fire();
    const [callA, callB] = pending.slice(-2);
    callA!.reject(new DependencyError('trial failed'));
    await rejectionOf(trialA);
    expect(breaker.state).toBe('OPEN');
    vi.advanceTimersByTime(1_000);
    expect(breaker.state).toBe('HALF_OPEN');

    callB!.resolve('stale success');
    await trialB;
    expect(breaker.state).toBe('HALF_OPEN');
    // The stale trial did not hold a slot of the new period either.
    expect(breaker.stats().halfOpenInFlight).toBe(0);
  });

  it('results arriving after close() or open() are not counted', async () => {
    const { pending, action } = manualService();
    const breaker = new CircuitBreaker(action, { failureThreshold: 1 });
    const call = breaker.fire();
    breaker.open();
    breaker.close();
    pending[0]!.reject(new DependencyError('from before'));
    await rejectionOf(call);
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats().window.failures).toBe(0);
  });
});
