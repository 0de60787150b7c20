import {
  type CallContext,
  CircuitBreaker,
  type CircuitBreakerEvents,
  CircuitOpenError,
  isCircuitOpenError,
} from '@mcp-exec/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadInputError, DependencyError, rejectionOf } from './helpers.js';

/** An action that fails while `failing` is true, and records each call. */
function flakyService() {
  const service = {
    failing: false,
    calls: 0,
    action: async (value: number, _context: CallContext): Promise<number> => {
      service.calls++;
      if (service.failing) throw new DependencyError(`failed ${value}`);
      return value * 2;
    },
  };
  return service;
}

function record(breaker: CircuitBreaker<never>, ...names: (keyof CircuitBreakerEvents)[]): string[] {
  const log: string[] = [];
  for (const name of names) (breaker as CircuitBreaker).on(name, () => log.push(name));
  return log;
}

async function failTimes(breaker: CircuitBreaker<(v: number, c: CallContext) => Promise<number>>, n: number) {
  for (let i = 0; i < n; i++) await rejectionOf(breaker.fire(i));
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CLOSED', () => {
  it('passes arguments and a context to the action and resolves with its result', async () => {
    const seen: unknown[][] = [];
    const breaker = new CircuitBreaker(async (a: number, b: string, context: CallContext) => {
      seen.push([a, b, context.attempt, context.signal.aborted]);
      return `${b}${a}`;
    });
    expect(await breaker.fire(1, 'x')).toBe('x1');
    expect(seen).toEqual([[1, 'x', 1, false]]);
    expect(breaker.state).toBe('CLOSED');
  });

  it('passes any number of arguments, with the context always last', async () => {
    const record = async (...args: unknown[]) => args.map((a) => (typeof a === 'object' ? 'context' : a));
    const breaker = new CircuitBreaker(record);
    expect(await breaker.fire()).toEqual(['context']);
    expect(await breaker.fire(1)).toEqual([1, 'context']);
    expect(await breaker.fire(1, 2)).toEqual([1, 2, 'context']);
    expect(await breaker.fire(1, 2, 3, 4)).toEqual([1, 2, 3, 4, 'context']);
  });

  it('opens after failureThreshold consecutive failures, not before', async () => {
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, { failureThreshold: 3 });
    const events = record(breaker as never, 'open', 'failure');
    service.failing = true;
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('CLOSED');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('OPEN');
    // The state machine has taken the call into account before its own event fires.
    expect(events).toEqual(['failure', 'failure', 'open', 'failure']);
    expect(breaker.stats().consecutiveFailures).toBe(3);
  });

  it('a success resets the consecutive count', async () => {
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, { failureThreshold: 3 });
    service.failing = true;
    await failTimes(breaker, 2);
    service.failing = false;
    await breaker.fire(1);
    service.failing = true;
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats().consecutiveFailures).toBe(2);
  });

  it('caller errors and aborts pass through untouched and never count', async () => {
    const badInput = new BadInputError('n must be positive');
    const abort = new DOMException('stop', 'AbortError');
    let next: unknown = badInput;
    const breaker = new CircuitBreaker(
      async () => {
        throw next;
      },
      { failureThreshold: 1 },
    );
    const ignored: unknown[] = [];
    breaker.on('ignored', (error) => ignored.push(error));
    expect(await rejectionOf(breaker.fire())).toBe(badInput);
    next = abort;
    expect(await rejectionOf(breaker.fire())).toBe(abort);
    expect(breaker.state).toBe('CLOSED');
    expect(ignored).toEqual([badInput, abort]);
    expect(breaker.stats().window).toMatchObject({ failures: 0, ignored: 2 });
  });

  it('a custom isFailure decides what counts; one that throws counts the call', async () => {
    let error: unknown = new DependencyError('404');
    const breaker = new CircuitBreaker(
      async () => {
        throw error;
      },
      {
        failureThreshold: 1,
        isFailure: (e) => {
          if (e === 'boom') throw new Error('classifier bug');
          return !(e instanceof DependencyError);
        },
      },
    );
    await rejectionOf(breaker.fire());
    expect(breaker.state).toBe('CLOSED');
    error = 'boom';
    expect(await rejectionOf(breaker.fire())).toBe('boom');
    expect(breaker.state).toBe('OPEN');
  });

  it('a synchronous throw or a plain value from the action is handled like a promise', async () => {
    const breaker = new CircuitBreaker(
      (mode: string) => {
        if (mode === 'throw') throw new DependencyError('sync');
        return 7;
      },
      { failureThreshold: 1 },
    );
    expect(await breaker.fire('value')).toBe(7);
    expect(await rejectionOf(breaker.fire('throw'))).toBeInstanceOf(DependencyError);
    expect(breaker.state).toBe('OPEN');
  });
});

describe('OPEN', () => {
  it('rejects at once with a CircuitOpenError without calling the action', async () => {
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, {
      name: 'svc',
      failureThreshold: 1,
      resetTimeout: 5_000,
    });
    service.failing = true;
    await failTimes(breaker, 1);
    const openedAt = Date.now();
    const rejected: unknown[] = [];
    breaker.on('reject', (error) => rejected.push(error));
    const error = await rejectionOf(breaker.fire(1));
    expect(service.calls).toBe(1);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'ECIRCUITOPEN',
      breakerName: 'svc',
      state: 'OPEN',
      retryAt: openedAt + 5_000,
    });
    expect(rejected).toEqual([error]);
    expect(breaker.stats().window.rejects).toBe(1);
  });

  it('half-opens on time with no traffic at all', async () => {
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, { failureThreshold: 1, resetTimeout: 1_000 });
    const events = record(breaker as never, 'halfOpen');
    service.failing = true;
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(999);
    expect(events).toEqual([]);
    expect(breaker.stats().nextAttemptAt).toBe(Date.now() + 1);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['halfOpen']);
    expect(breaker.state).toBe('HALF_OPEN');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reads HALF_OPEN as soon as the clock says so, even if the timer is late', async () => {
    let now = 0;
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, {
      failureThreshold: 1,
      resetTimeout: 1_000,
      now: () => now,
    });
    service.failing = true;
    await failTimes(breaker, 1);
    now = 1_000;
    expect(breaker.state).toBe('HALF_OPEN');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('HALF_OPEN', () => {
  async function halfOpenBreaker(options: { successThreshold?: number } = {}) {
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, {
      failureThreshold: 1,
      resetTimeout: 1_000,
      ...options,
    });
    service.failing = true;
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(1_000);
    expect(breaker.state).toBe('HALF_OPEN');
    return { service, breaker };
  }

  it('a successful trial closes the circuit with fresh counts', async () => {
    const { service, breaker } = await halfOpenBreaker();
    const events = record(breaker as never, 'close');
    service.failing = false;
    expect(await breaker.fire(4)).toBe(8);
    expect(breaker.state).toBe('CLOSED');
    expect(events).toEqual(['close']);
    expect(breaker.stats()).toMatchObject({ consecutiveFailures: 0, window: { successes: 0, failures: 0 } });
  });

  it('a failed trial reopens it for another resetTimeout', async () => {
    const { breaker } = await halfOpenBreaker();
    const opened: unknown[] = [];
    breaker.on('open', (info) => opened.push(info.trigger));
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('OPEN');
    expect(opened).toEqual(['halfOpenFailure']);
    vi.advanceTimersByTime(999);
    expect(breaker.state).toBe('OPEN');
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('HALF_OPEN');
  });

  it('closes only after successThreshold successful trials', async () => {
    const { service, breaker } = await halfOpenBreaker({ successThreshold: 3 });
    service.failing = false;
    await breaker.fire(1);
    await breaker.fire(2);
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.stats().halfOpenSuccesses).toBe(2);
    await breaker.fire(3);
    expect(breaker.state).toBe('CLOSED');
  });

  it('an ignored error frees the trial slot without deciding anything', async () => {
    const breaker = new CircuitBreaker(
      async (mode: string) => {
        if (mode === 'fail') throw new DependencyError('down');
        if (mode === 'bad') throw new BadInputError('bad');
        return mode;
      },
      { failureThreshold: 1, resetTimeout: 10 },
    );
    await rejectionOf(breaker.fire('fail'));
    vi.advanceTimersByTime(10);
    await rejectionOf(breaker.fire('bad'));
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.stats().halfOpenInFlight).toBe(0);
    expect(await breaker.fire('ok')).toBe('ok');
    expect(breaker.state).toBe('CLOSED');
  });
});

describe('manual control', () => {
  it('open() opens now and half-opens after resetTimeout; close() closes now', async () => {
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, { resetTimeout: 100 });
    const opened: unknown[] = [];
    breaker.on('open', (info) => opened.push(info));
    breaker.open();
    breaker.open();
    expect(opened).toEqual([{ trigger: 'manual' }]);
    expect(isCircuitOpenError(await rejectionOf(breaker.fire(1)))).toBe(true);
    vi.advanceTimersByTime(100);
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.open();
    breaker.close();
    expect(breaker.state).toBe('CLOSED');
    expect(vi.getTimerCount()).toBe(0);
    expect(await breaker.fire(2)).toBe(4);
  });

  it('disable() lets every call through uncounted; enable() restores protection', async () => {
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, { failureThreshold: 1 });
    breaker.open();
    breaker.disable();
    expect(breaker.enabled).toBe(false);
    expect(await breaker.fire(5)).toBe(10);
    service.failing = true;
    await failTimes(breaker, 3);
    expect(service.calls).toBe(4);
    expect(breaker.stats().window).toMatchObject({ successes: 0, failures: 0, rejects: 0 });
    breaker.enable();
    expect(isCircuitOpenError(await rejectionOf(breaker.fire(1)))).toBe(true);
    expect(service.calls).toBe(4);
  });
});

describe('stats and snapshots', () => {
  it('stats() is plain frozen JSON data', async () => {
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, { name: 'svc', failureThreshold: 2 });
    await breaker.fire(1);
    service.failing = true;
    await failTimes(breaker, 1);
    const stats = breaker.stats();
    expect(Object.isFrozen(stats)).toBe(true);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(stats).toEqual({
      name: 'svc',
      state: 'CLOSED',
      enabled: true,
      isShutdown: false,
      consecutiveFailures: 1,
      halfOpenInFlight: 0,
      halfOpenSuccesses: 0,
      lastTransitionAt: expect.any(Number),
      nextAttemptAt: null,
      window: {
        durationMs: 10_000,
        successes: 1,
        failures: 1,
        timeouts: 0,
        rejects: 0,
        ignored: 0,
        errorPercentage: 50,
      },
    });
  });

  it('toJSON() round-trips through initialState, OPEN keeping its remaining time', async () => {
    const service = flakyService();
    const breaker = new CircuitBreaker(service.action, { failureThreshold: 1, resetTimeout: 1_000 });
    service.failing = true;
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(400);
    const saved = JSON.parse(JSON.stringify(breaker));
    expect(saved).toEqual({
      state: 'OPEN',
      lastTransitionAt: Date.now() - 400,
      consecutiveFailures: 1,
      enabled: true,
    });
    breaker.shutdown();

    const restored = new CircuitBreaker(service.action, { resetTimeout: 1_000, initialState: saved });
    expect(restored.state).toBe('OPEN');
    vi.advanceTimersByTime(599);
    expect(restored.state).toBe('OPEN');
    vi.advanceTimersByTime(1);
    expect(restored.state).toBe('HALF_OPEN');
    restored.shutdown();
  });

  it('restores an OPEN state whose reset time has passed as HALF_OPEN, and other states as saved', () => {
    const now = Date.now();
    const action = async () => 1;
    const late = new CircuitBreaker(action, {
      resetTimeout: 1_000,
      initialState: { state: 'OPEN', lastTransitionAt: now - 5_000 },
    });
    expect(late.state).toBe('HALF_OPEN');
    // A timestamp from the future never holds the circuit open longer than resetTimeout.
    const skewed = new CircuitBreaker(action, {
      resetTimeout: 1_000,
      initialState: { state: 'OPEN', lastTransitionAt: now + 1e9 },
    });
    expect(skewed.stats().nextAttemptAt).toBe(now + 1_000);
    const closed = new CircuitBreaker(action, {
      initialState: { state: 'CLOSED', lastTransitionAt: now, consecutiveFailures: 4, enabled: false },
    });
    expect(closed.toJSON()).toEqual({
      state: 'CLOSED',
      lastTransitionAt: now,
      consecutiveFailures: 4,
      enabled: false,
    });
    for (const breaker of [late, skewed, closed]) breaker.shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });
});
