import { BreakerRegistry, isBreakerShutdownError, isCircuitOpenError } from '@mcp-exec/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DependencyError, rejectionOf } from './helpers.js';

const fail = async (): Promise<never> => {
  throw new DependencyError('down');
};
const succeed = async () => 'ok';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('BreakerRegistry', () => {
  it('keeps one breaker per key, named after it, created on first use', () => {
    const registry = new BreakerRegistry();
    expect(registry.has('a')).toBe(false);
    const a = registry.get('a');
    expect(registry.get('a')).toBe(a);
    expect(a.name).toBe('a');
    expect(registry.get('b')).not.toBe(a);
    expect(registry.keys()).toEqual(['a', 'b']);
    expect(registry.size).toBe(2);
    registry.shutdown();
  });

  it("isolates keys: one key's failures never open another's circuit", async () => {
    const registry = new BreakerRegistry({ defaults: { failureThreshold: 2 } });
    for (let i = 0; i < 2; i++) await rejectionOf(registry.get('flaky').execute(fail));
    expect(isCircuitOpenError(await rejectionOf(registry.get('flaky').execute(succeed)))).toBe(true);
    expect(await registry.get('healthy').execute(succeed)).toBe('ok');
    expect(registry.states()).toEqual({ flaky: 'OPEN', healthy: 'CLOSED' });
    expect(registry.stats().healthy).toMatchObject({ name: 'healthy', window: { successes: 1, rejects: 0 } });
    registry.shutdown();
  });

  it('lays per-key overrides over shared defaults', async () => {
    const registry = new BreakerRegistry({
      defaults: { failureThreshold: 3, resetTimeout: 1_000 },
      overrides: { fragile: { failureThreshold: 1 } },
    });
    await rejectionOf(registry.get('fragile').execute(fail));
    await rejectionOf(registry.get('sturdy').execute(fail));
    expect(registry.states()).toEqual({ fragile: 'OPEN', sturdy: 'CLOSED' });
    vi.advanceTimersByTime(1_000);
    expect(registry.get('fragile').state).toBe('HALF_OPEN');
    registry.shutdown();
  });

  it('forwards transitions with their key', async () => {
    const registry = new BreakerRegistry({ defaults: { failureThreshold: 1, resetTimeout: 10 } });
    const log: unknown[] = [];
    registry.on('open', (key, info) => log.push(['open', key, info.trigger]));
    registry.on('halfOpen', (key) => log.push(['halfOpen', key]));
    registry.on('close', (key) => log.push(['close', key]));
    await rejectionOf(registry.get('s').execute(fail));
    vi.advanceTimersByTime(10);
    await registry.get('s').execute(succeed);
    expect(log).toEqual([
      ['open', 's', 'failureThreshold'],
      ['halfOpen', 's'],
      ['close', 's'],
    ]);
    registry.shutdown();
  });

  it('saves and restores states with toJSON() and initialStates', async () => {
    const registry = new BreakerRegistry({ defaults: { failureThreshold: 1, resetTimeout: 1_000 } });
    await rejectionOf(registry.get('down').execute(fail));
    await registry.get('up').execute(succeed);
    const saved = JSON.parse(JSON.stringify(registry));
    registry.shutdown();

    const restored = new BreakerRegistry({ defaults: { resetTimeout: 1_000 }, initialStates: saved });
    expect(restored.get('down').state).toBe('OPEN');
    expect(restored.get('up').state).toBe('CLOSED');
    restored.shutdown();
  });

  it('delete() shuts a breaker down and the next get() starts afresh', async () => {
    const registry = new BreakerRegistry({ defaults: { failureThreshold: 1 } });
    const old = registry.get('k');
    await rejectionOf(old.execute(fail));
    expect(registry.delete('k')).toBe(true);
    expect(registry.delete('k')).toBe(false);
    expect(old.isShutdown).toBe(true);
    expect(registry.get('k').state).toBe('CLOSED');
    registry.shutdown();
  });

  it('shutdown() shuts every breaker down, clears timers and listeners, and refuses new keys', async () => {
    const registry = new BreakerRegistry({ defaults: { failureThreshold: 1 } });
    const a = registry.get('a');
    await rejectionOf(a.execute(fail));
    registry.on('open', () => {});
    expect(vi.getTimerCount()).toBe(1);
    registry.shutdown();
    registry.shutdown();
    expect(a.isShutdown).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(registry.eventNames()).toEqual([]);
    expect(registry.size).toBe(0);
    expect(() => registry.get('b')).toThrow(expect.objectContaining({ code: 'ESHUTDOWN' }));
    expect(isBreakerShutdownError(await rejectionOf(a.execute(succeed)))).toBe(true);
  });

  it('treats keys as plain strings, even "constructor" and "__proto__"', () => {
    const registry = new BreakerRegistry({ overrides: { constructor: { failureThreshold: 2 } } });
    expect(registry.get('constructor').name).toBe('constructor');
    expect(registry.get('__proto__').name).toBe('__proto__');
    expect(Object.keys(registry.states())).toEqual(['constructor', '__proto__']);
    registry.shutdown();
  });

  it('rejects bad configuration at construction, naming the key and option', () => {
    expect(() => new BreakerRegistry({ defaults: { resetTimeout: -1 } })).toThrow(
      new TypeError('defaults.resetTimeout must be an integer between 0 and 2147483647, got -1'),
    );
    expect(() => new BreakerRegistry({ overrides: { 'skill-a': { failureThreshold: 0 } } })).toThrow(
      new TypeError('overrides["skill-a"].failureThreshold must be an integer >= 1, got 0'),
    );
    expect(
      () => new BreakerRegistry({ initialStates: { x: { state: 'AJAR' as never, lastTransitionAt: 0 } } }),
    ).toThrow(new TypeError(`initialStates["x"].state must be 'CLOSED', 'OPEN' or 'HALF_OPEN', got "AJAR"`));
    expect(() => new BreakerRegistry(null as never)).toThrow(TypeError);
    const registry = new BreakerRegistry();
    expect(() => registry.get('')).toThrow(new TypeError('key must be a non-empty string, got ""'));
  });
});
