import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { isMissingLoaderError, isUndefinedValueError, type LoaderContext, SkillCache } from '../src/index.js';
import { type Deferred, deferred, flushPromises, manualClock } from './support.js';

/** A loader the test controls: each call gets its own deferred result. */
function controlledLoader() {
  const calls: Array<{ key: string; signal: AbortSignal; result: Deferred<number> }> = [];
  const loader = vi.fn((key: string, { signal }: LoaderContext) => {
    const result = deferred<number>();
    calls.push({ key, signal, result });
    return result.promise;
  });
  return { loader, calls };
}

describe('load', () => {
  it('loads a missing key with the default loader, caches it, and serves it from the cache after', async () => {
    const load = vi.fn(async (key: string) => key.length);
    const cache = new SkillCache<string, number>({ load });
    await expect(cache.load('four')).resolves.toBe(4);
    expect(cache.get('four')).toBe(4);
    await expect(cache.load('four')).resolves.toBe(4);
    expect(load).toHaveBeenCalledTimes(1);
    expect(load.mock.calls[0]![0]).toBe('four');
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, loads: 1, loadFailures: 0 });
  });

  it('accepts a synchronous loader', async () => {
    const cache = new SkillCache<string, number>({ load: (key) => key.length });
    await expect(cache.load('abc')).resolves.toBe(3);
    expect(cache.get('abc')).toBe(3);
  });

  it('a per-call loader replaces the default one', async () => {
    const load = vi.fn(() => 1);
    const cache = new SkillCache<string, number>({ load });
    await expect(cache.load('a', { loader: () => 2 })).resolves.toBe(2);
    expect(load).not.toHaveBeenCalled();
  });

  it('applies a per-load ttl', async () => {
    const clock = manualClock(1);
    const cache = new SkillCache<string, number>({ ttl: 10_000, now: clock.now });
    await cache.load('a', { loader: () => 1, ttl: 50 });
    await cache.load('b', { loader: () => 2 });
    clock.advance(51);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
  });

  it('is single-flight: concurrent loads of one key call the loader once and all get its result', async () => {
    const { loader, calls } = controlledLoader();
    const cache = new SkillCache<string, number>({ load: loader });
    const other = vi.fn(() => 99);
    const waiting = [
      ...Array.from({ length: 10 }, () => cache.load('k')),
      cache.load('k', { loader: other }), // joins the flight: its loader is not used
    ];
    const elsewhere = cache.load('j');
    await flushPromises();
    expect(loader).toHaveBeenCalledTimes(2);
    expect(calls.map((c) => c.key)).toEqual(['k', 'j']);
    calls[0]!.result.resolve(7);
    calls[1]!.result.resolve(8);
    expect(await Promise.all(waiting)).toEqual(Array(11).fill(7));
    await expect(elsewhere).resolves.toBe(8);
    expect(other).not.toHaveBeenCalled();
    expect(cache.get('k')).toBe(7);
    expect(cache.stats()).toMatchObject({ misses: 12, loads: 2, hits: 1 });
  });

  it('rejects without a loader, with a typed error', async () => {
    const cache = new SkillCache<string, number>();
    const error = await cache.load('a').catch((e: unknown) => e);
    expect(isMissingLoaderError(error)).toBe(true);
    expect((error as Error).message).toMatch(/cannot load "a"/);
  });

  it('validates its arguments and rejects (never throws) with a TypeError naming the option', async () => {
    const cache = new SkillCache<string, number>({ load: () => 1 });
    await expect(cache.load('a', { signal: 'nope' as never })).rejects.toThrow(
      new TypeError('signal must be an AbortSignal, got "nope"'),
    );
    await expect(cache.load('a', { loader: 5 as never })).rejects.toThrow(
      new TypeError('loader must be a function, got 5'),
    );
    await expect(cache.load('a', { ttl: 1.5 })).rejects.toThrow(/^ttl must be an integer >= 0.*got 1.5$/);
    await expect(cache.load('a', null as never)).rejects.toThrow(
      new TypeError('load options must be an object, got null'),
    );
    await expect(cache.load(null as never)).rejects.toThrow(new TypeError('key must not be null'));
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, loads: 0 });
  });
});

describe('load failures', () => {
  it('a failed load rejects every waiter with the same error, is not cached, and does not poison the next load', async () => {
    const { loader, calls } = controlledLoader();
    const cache = new SkillCache<string, number>({ load: loader });
    const waiting = [cache.load('k'), cache.load('k'), cache.load('k')];
    await flushPromises();
    const failure = new Error('disk on fire');
    calls[0]!.result.reject(failure);
    const outcomes = await Promise.allSettled(waiting);
    expect(outcomes).toEqual(Array(3).fill({ status: 'rejected', reason: failure }));
    expect(cache.has('k')).toBe(false);
    expect(cache.size).toBe(0);

    const next = cache.load('k');
    await flushPromises();
    expect(loader).toHaveBeenCalledTimes(2);
    calls[1]!.result.resolve(5);
    await expect(next).resolves.toBe(5);
    expect(cache.stats()).toMatchObject({ loads: 2, loadFailures: 1, misses: 4 });
  });

  it('a loader that throws synchronously is a failed load like any other', async () => {
    let fail = true;
    const cache = new SkillCache<string, number>({
      load: () => {
        if (fail) throw new RangeError('sync');
        return 1;
      },
    });
    await expect(cache.load('a')).rejects.toThrow(new RangeError('sync'));
    fail = false;
    await expect(cache.load('a')).resolves.toBe(1);
    expect(cache.stats()).toMatchObject({ loads: 2, loadFailures: 1 });
  });

  it('a loader resolving undefined fails with a typed error and caches nothing', async () => {
    const cache = new SkillCache<string, number>({ load: async () => undefined as unknown as number });
    const error = await cache.load('a').catch((e: unknown) => e);
    expect(isUndefinedValueError(error)).toBe(true);
    expect((error as Error).message).toMatch(/"a".*loader resolved with undefined/);
    expect(cache.has('a')).toBe(false);
    expect(cache.stats().loadFailures).toBe(1);
  });
});

describe('load abort', () => {
  it('rejects at once with signal.reason when the signal is already aborted, without touching anything', async () => {
    const load = vi.fn(() => 1);
    const cache = new SkillCache<string, number>({ load });
    cache.set('cached', 2);
    const reason = new Error('too late');
    const signal = AbortSignal.abort(reason);
    await expect(cache.load('a', { signal })).rejects.toBe(reason);
    await expect(cache.load('cached', { signal })).rejects.toBe(reason);
    expect(load).not.toHaveBeenCalled();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, loads: 0 });
  });

  it('an aborted caller rejects with its reason; the load goes on for the others and is cached', async () => {
    const { loader, calls } = controlledLoader();
    const cache = new SkillCache<string, number>({ load: loader });
    const controller = new AbortController();
    const quitter = cache.load('k', { signal: controller.signal });
    const patient = cache.load('k');
    const patientWithSignal = cache.load('k', { signal: new AbortController().signal });
    await flushPromises();
    const reason = new Error('user gave up');
    controller.abort(reason);
    await expect(quitter).rejects.toBe(reason);
    expect(calls[0]!.signal.aborted).toBe(false);
    calls[0]!.result.resolve(42);
    await expect(patient).resolves.toBe(42);
    await expect(patientWithSignal).resolves.toBe(42);
    expect(cache.get('k')).toBe(42);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats().loadFailures).toBe(0);
  });

  it('when every caller has aborted, the loader is aborted with the last reason and its result is dropped', async () => {
    const { loader, calls } = controlledLoader();
    const cache = new SkillCache<string, number>({ load: loader });
    const first = new AbortController();
    const second = new AbortController();
    const a = cache.load('k', { signal: first.signal });
    const b = cache.load('k', { signal: second.signal });
    await flushPromises();
    first.abort(new Error('first'));
    expect(calls[0]!.signal.aborted).toBe(false);
    const last = new Error('second');
    second.abort(last);
    await expect(a).rejects.toThrow('first');
    await expect(b).rejects.toBe(last);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[0]!.signal.reason).toBe(last);

    // A new load does not join the abandoned one.
    const fresh = cache.load('k');
    await flushPromises();
    expect(loader).toHaveBeenCalledTimes(2);
    calls[0]!.result.resolve(1); // the abandoned loader finishes anyway: ignored
    await flushPromises();
    expect(cache.has('k')).toBe(false);
    calls[1]!.result.resolve(2);
    await expect(fresh).resolves.toBe(2);
    expect(cache.get('k')).toBe(2);
  });

  it('an abandoned load that rejects is neither unhandled nor counted as a failure', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const cache = new SkillCache<string, number>({
        load: (_key, { signal }) =>
          new Promise<number>((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
      });
      const controller = new AbortController();
      const waiting = cache.load('k', { signal: controller.signal });
      await flushPromises();
      controller.abort(new Error('bye'));
      await expect(waiting).rejects.toThrow('bye');
      await flushPromises();
      await flushPromises();
      expect(unhandled).not.toHaveBeenCalled();
      expect(cache.stats()).toMatchObject({ loads: 1, loadFailures: 0 });
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('accepts a signal from a polyfill or another realm (anything shaped like an AbortSignal)', async () => {
    const { loader, calls } = controlledLoader();
    const cache = new SkillCache<string, number>({ load: loader });
    const target = new EventTarget();
    const signal = Object.assign(target, { aborted: false, reason: undefined as unknown });
    const waiting = cache.load('k', { signal: signal as unknown as AbortSignal });
    await flushPromises();
    signal.aborted = true;
    signal.reason = new Error('polyfilled abort');
    target.dispatchEvent(new Event('abort'));
    await expect(waiting).rejects.toThrow('polyfilled abort');
    expect(calls[0]!.signal.aborted).toBe(true);
  });

  it('removes its abort listener once the load settles, so a shared signal collects none', async () => {
    const cache = new SkillCache<string, number>({ load: async (key) => key.length });
    const failing = new SkillCache<string, number>({ load: async () => Promise.reject(new Error('x')) });
    const signal = new AbortController().signal;
    await Promise.all(['a', 'bb', 'ccc'].map((key) => cache.load(key, { signal })));
    await failing.load('a', { signal }).catch(() => undefined);
    await cache.load('a', { signal }); // a hit never adds one
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('gives the callers waiting on one signal one shared listener; an abort rejects each', async () => {
    const { loader, calls } = controlledLoader();
    const cache = new SkillCache<string, number>({ load: loader });
    const controller = new AbortController();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const waiting = keys.flatMap((key) =>
      Array.from({ length: 10 }, () => cache.load(key, { signal: controller.signal })),
    );
    expect(calls).toHaveLength(keys.length);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    calls[0]!.result.resolve(1); // the ten callers of 'a' leave the shared listener
    expect(await Promise.all(waiting.slice(0, 10))).toEqual(Array(10).fill(1));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('stop');
    controller.abort(reason);
    for (const load of waiting.slice(10)) await expect(load).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('load racing with set, delete and clear', () => {
  it('delete detaches the flight: waiters get its result, the cache does not keep it', async () => {
    const { loader, calls } = controlledLoader();
    const cache = new SkillCache<string, number>({ load: loader });
    const waiting = cache.load('k');
    await flushPromises();
    cache.delete('k');
    const after = cache.load('k'); // a new flight, not the detached one
    await flushPromises();
    expect(loader).toHaveBeenCalledTimes(2);
    calls[0]!.result.resolve(1);
    await expect(waiting).resolves.toBe(1);
    expect(cache.has('k')).toBe(false);
    calls[1]!.result.resolve(2);
    await expect(after).resolves.toBe(2);
    expect(cache.get('k')).toBe(2);
  });

  it('a value set during a load is kept over the older loaded one', async () => {
    const { loader, calls } = controlledLoader();
    const cache = new SkillCache<string, number>({ load: loader });
    const waiting = cache.load('k');
    await flushPromises();
    cache.set('k', 100);
    calls[0]!.result.resolve(1);
    await expect(waiting).resolves.toBe(1);
    expect(cache.get('k')).toBe(100);
  });

  it('clear detaches every flight', async () => {
    const { loader, calls } = controlledLoader();
    const cache = new SkillCache<string, number>({ load: loader });
    const waiting = [cache.load('a'), cache.load('b')];
    await flushPromises();
    cache.clear();
    calls[0]!.result.resolve(1);
    calls[1]!.result.resolve(2);
    expect(await Promise.all(waiting)).toEqual([1, 2]);
    expect(cache.size).toBe(0);
  });
});
