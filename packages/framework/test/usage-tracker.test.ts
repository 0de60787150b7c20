import { describe, expect, it } from 'vitest';
import { Executor } from '../src/executor/executor.js';
import { UsageTracker } from '../src/preload/usage-tracker.js';

describe('UsageTracker', () => {
  it('counts calls and transitions over a sliding window only', () => {
    const tracker = new UsageTracker(3, { threshold: 0.5, minObservations: 1 });
    const [a, b, c] = ['a', 'b', 'c'].map((name) => tracker.entry(name)) as [
      ReturnType<UsageTracker['entry']>,
      ReturnType<UsageTracker['entry']>,
      ReturnType<UsageTracker['entry']>,
    ];
    for (const entry of [a, b, c, a]) tracker.record(entry);
    // a -> b left the window with the first a.
    expect(tracker.window()).toEqual(['b', 'c', 'a']);
    expect(tracker.counts()).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ]);
    expect([...a.next.keys()]).toEqual([]);
    expect(a.followed).toBe(0);
    expect(b.next.get(c)).toBe(1);
    expect(c.next.get(a)).toBe(1);
    expect(tracker.qualifies(b, c)).toBe(true);
    expect(tracker.qualifies(a, b)).toBe(false);
    expect(tracker.recorded).toBe(3);
  });

  it('applies the threshold and the minimum of observations', () => {
    const tracker = new UsageTracker(100, { threshold: 0.5, minObservations: 3 });
    const from = tracker.entry('from');
    const [x, y] = [tracker.entry('x'), tracker.entry('y')];
    for (const next of [x, x, y]) {
      tracker.record(from);
      tracker.record(next);
    }
    expect(from.followed).toBe(3);
    expect(tracker.qualifies(from, x)).toBe(true); // 2 of 3
    expect(tracker.qualifies(from, y)).toBe(false); // 1 of 3
    expect(from.targets.map((t) => t.name)).toEqual(['x']);
  });
});

describe('Executor.whenFree', () => {
  it('resolves at once when a slot is free, else once a slot frees and nobody waits', async () => {
    const executor = new Executor(1, 10);
    await executor.whenFree();
    const order: string[] = [];
    let finish!: () => void;
    const running = executor.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const queued = executor.run(async () => {
      order.push('queued call');
    });
    const free = executor.whenFree().then(() => order.push('free'));
    finish();
    await Promise.all([running, queued, free]);
    expect(order).toEqual(['queued call', 'free']);
  });

  it('resolves on close', async () => {
    const executor = new Executor(1, 10);
    const running = executor.run(() => new Promise<void>(() => undefined));
    const free = executor.whenFree();
    executor.close(new Error('closed'));
    await expect(free).resolves.toBeUndefined();
    void running;
  });
});
