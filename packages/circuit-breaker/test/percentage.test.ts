import { CircuitBreaker, type CircuitBreakerOptions, type OpenInfo } from '@mcp-exec/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DependencyError, rejectionOf } from './helpers.js';

type Action = (ok: boolean) => Promise<string>;
const action: Action = async (ok) => {
  if (!ok) throw new DependencyError('down');
  return 'ok';
};

function breakerWith(options: CircuitBreakerOptions<Action>) {
  const breaker = new CircuitBreaker(action, options);
  const opened: OpenInfo['trigger'][] = [];
  breaker.on('open', (info) => opened.push(info.trigger));
  /** Runs calls given as a string: `s` a success, `f` a failure. */
  const run = async (pattern: string) => {
    for (const c of pattern) {
      if (c === 's') await breaker.fire(true);
      else await rejectionOf(breaker.fire(false));
    }
  };
  return { breaker, opened, run };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('errorThresholdPercentage', () => {
  const percentageOnly = {
    failureThreshold: false,
    errorThresholdPercentage: 50,
    volumeThreshold: 4,
    rollingWindowMs: 1_000,
    rollingBuckets: 10,
  } as const;

  it('opens once failures reach the percentage with at least volumeThreshold calls', async () => {
    const { breaker, opened, run } = breakerWith(percentageOnly);
    await run('sfs');
    // 1 of 3 failed, and 3 < volumeThreshold.
    expect(breaker.state).toBe('CLOSED');
    await run('f');
    // 2 of 4 = 50 %: the threshold is inclusive.
    expect(breaker.state).toBe('OPEN');
    expect(opened).toEqual(['errorThresholdPercentage']);
  });

  it('never opens below volumeThreshold, even at 100 %', async () => {
    const { breaker, run } = breakerWith({ ...percentageOnly, volumeThreshold: 5 });
    await run('ffff');
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats().window.errorPercentage).toBe(100);
    await run('f');
    expect(breaker.state).toBe('OPEN');
  });

  it('forgets calls one bucket at a time as the window slides', async () => {
    const { breaker, run } = breakerWith(percentageOnly);
    await run('ff');
    vi.advanceTimersByTime(500);
    await run('s');
    // The window spans 900-1000 ms: the failures at t=0 fall out once t reaches 1000.
    vi.advanceTimersByTime(499);
    expect(breaker.stats().window).toMatchObject({ failures: 2, successes: 1 });
    vi.advanceTimersByTime(1);
    expect(breaker.stats().window).toMatchObject({ failures: 0, successes: 1 });
    await run('sf');
    // 1 of 3 in the window.
    expect(breaker.state).toBe('CLOSED');
  });

  it('restarts with an empty window when the circuit closes', async () => {
    const { breaker, run } = breakerWith({ ...percentageOnly, resetTimeout: 100 });
    await run('ssff');
    expect(breaker.state).toBe('OPEN');
    vi.advanceTimersByTime(100);
    await run('s');
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats().window).toMatchObject({ successes: 0, failures: 0 });
    await run('f');
    expect(breaker.state).toBe('CLOSED');
  });

  it('counts neither ignored errors nor rejections in the percentage', async () => {
    const breaker = new CircuitBreaker(async (kind: string) => {
      if (kind === 'abort') throw new DOMException('aborted', 'AbortError');
      if (kind === 'fail') throw new DependencyError('down');
      return kind;
    }, percentageOnly);
    for (const kind of ['ok', 'ok', 'ok', 'abort', 'abort', 'abort'])
      await breaker.fire(kind).catch(() => {});
    await rejectionOf(breaker.fire('fail'));
    // 1 of 4 counted calls failed; the aborts are not failures.
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats().window).toMatchObject({
      successes: 3,
      failures: 1,
      ignored: 3,
      errorPercentage: 25,
    });
  });
});

describe('failureThreshold and errorThresholdPercentage together', () => {
  const both = {
    failureThreshold: 3,
    errorThresholdPercentage: 50,
    volumeThreshold: 10,
    rollingWindowMs: 10_000,
  } as const;

  it('consecutive failures open the circuit before the volume is reached', async () => {
    const { breaker, opened, run } = breakerWith(both);
    await run('sfff');
    expect(breaker.state).toBe('OPEN');
    expect(opened).toEqual(['failureThreshold']);
  });

  it('the percentage opens it without any run of consecutive failures', async () => {
    const { breaker, opened, run } = breakerWith(both);
    await run('sffsffsff');
    expect(breaker.state).toBe('CLOSED');
    await run('s');
    expect(breaker.state).toBe('CLOSED');
    // 7 failures of 11 calls, never 3 in a row.
    await run('f');
    expect(breaker.state).toBe('OPEN');
    expect(opened).toEqual(['errorThresholdPercentage']);
  });

  it('percentage off by default; failureThreshold alone applies', async () => {
    const { breaker, run } = breakerWith({ failureThreshold: 3 });
    await run('sfsfsfsfsfsfsfsf');
    expect(breaker.state).toBe('CLOSED');
  });
});
