import {
  BreakerShutdownError,
  CircuitBreaker,
  CircuitOpenError,
  isBreakerShutdownError,
  isCircuitOpenError,
  isTimeoutError,
  TimeoutError,
} from '@mcp-exec/circuit-breaker';
import { describe, expect, it, vi } from 'vitest';
import { rejectionOf } from './helpers.js';

type Package = typeof import('@mcp-exec/circuit-breaker');

/** A second, independent copy of the package, as when two versions are installed. */
async function secondCopy(): Promise<Package> {
  vi.resetModules();
  return (await import('@mcp-exec/circuit-breaker')) as Package;
}

describe('errors', () => {
  it('carry a stable code and a name; the hot-path ones capture no stack', () => {
    const open = new CircuitOpenError('svc', 'OPEN', 123);
    const timeout = new TimeoutError('svc', 50);
    const shutdown = new BreakerShutdownError('Circuit "svc"');
    expect([open.code, timeout.code, shutdown.code]).toEqual(['ECIRCUITOPEN', 'ETIMEDOUT', 'ESHUTDOWN']);
    expect([open.name, timeout.name, shutdown.name]).toEqual([
      'CircuitOpenError',
      'TimeoutError',
      'BreakerShutdownError',
    ]);
    expect(open.message).toBe('Circuit "svc" is open');
    expect(timeout.message).toBe('Call through circuit "svc" timed out after 50 ms');
    expect(shutdown.message).toBe('Circuit "svc" has been shut down');
    for (const error of [open, timeout, shutdown]) expect(error).toBeInstanceOf(Error);
    expect(open.stack).toBe('CircuitOpenError: Circuit "svc" is open');
    expect(timeout.stack).toBe('TimeoutError: Call through circuit "svc" timed out after 50 ms');
    expect(Error.stackTraceLimit).toBeGreaterThan(0);
  });

  it('guards reject look-alikes and other values', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'ETIMEDOUT', name: 'TimeoutError' });
    for (const guard of [isCircuitOpenError, isTimeoutError, isBreakerShutdownError]) {
      expect(guard(lookAlike)).toBe(false);
      expect(guard(null)).toBe(false);
      expect(guard('ECIRCUITOPEN')).toBe(false);
    }
  });

  it('guards recognise errors from another copy of the package, where instanceof fails', async () => {
    const other = await secondCopy();
    expect(other.CircuitOpenError).not.toBe(CircuitOpenError);
    const breaker = new other.CircuitBreaker(async () => 1);
    breaker.open();
    const error = await rejectionOf(breaker.fire());
    expect(error).not.toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(isTimeoutError(new other.TimeoutError('x', 1))).toBe(true);
    expect(isBreakerShutdownError(new other.BreakerShutdownError('x'))).toBe(true);
    expect(other.isCircuitOpenError(new CircuitOpenError('x', 'OPEN', 0))).toBe(true);
    breaker.shutdown();
  });

  it('every call rejected during one OPEN period gets the same error; a new period a new one', async () => {
    const breaker = new CircuitBreaker(async () => 1);
    breaker.open();
    const first = await rejectionOf(breaker.fire());
    expect(await rejectionOf(breaker.fire())).toBe(first);
    breaker.close();
    breaker.open();
    expect(await rejectionOf(breaker.fire())).not.toBe(first);
    breaker.shutdown();
  });
});

describe('listeners', () => {
  it('a throwing listener neither breaks the call nor the state machine; its error is rethrown on its own', async () => {
    const rethrown: (() => void)[] = [];
    const queue = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => rethrown.push(task));
    try {
      const bug = new Error('listener bug');
      const breaker = new CircuitBreaker(async (x: number) => x, { failureThreshold: 1 });
      breaker.on('success', () => {
        throw bug;
      });
      breaker.on('open', () => {
        throw bug;
      });
      expect(await breaker.fire(3)).toBe(3);
      breaker.open();
      expect(breaker.state).toBe('OPEN');
      expect(rethrown).toHaveLength(2);
      expect(rethrown[0]).toThrow(bug);
      breaker.shutdown();
    } finally {
      queue.mockRestore();
    }
  });
});
