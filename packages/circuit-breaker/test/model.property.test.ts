import { CircuitBreaker, type CircuitState, isCircuitOpenError } from '@mcp-exec/circuit-breaker';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BadInputError, DependencyError } from './helpers.js';

interface Config {
  readonly failureThreshold: number | false;
  readonly errorThresholdPercentage: number | false;
  readonly volumeThreshold: number;
  readonly rollingWindowMs: number;
  readonly rollingBuckets: number;
  readonly resetTimeout: number;
  readonly successThreshold: number;
}

type Outcome = 'success' | 'failure' | 'ignored';
type Command = { readonly call: Outcome } | { readonly advanceMs: number };
type Counted = Outcome | 'reject';

/**
 * The reference: the breaker's documented rules, written as plainly as possible, with an
 * O(calls) log instead of buckets. Calls run one at a time, so HALF_OPEN always has a free slot.
 */
class Model {
  state: CircuitState = 'CLOSED';
  consecutiveFailures = 0;
  #openedAt = 0;
  #trialSuccesses = 0;
  #log: { readonly at: number; readonly kind: Counted }[] = [];

  constructor(
    readonly config: Config,
    public now: number,
  ) {}

  /** OPEN lasts exactly resetTimeout, whether or not anyone is looking. */
  catchUp(): void {
    if (this.state === 'OPEN' && this.now >= this.#openedAt + this.config.resetTimeout) {
      this.state = 'HALF_OPEN';
      this.#trialSuccesses = 0;
    }
  }

  /** Returns whether the call reached the action. */
  call(outcome: Outcome): boolean {
    this.catchUp();
    if (this.state === 'OPEN') {
      this.#log.push({ at: this.now, kind: 'reject' });
      return false;
    }
    this.#log.push({ at: this.now, kind: outcome });
    if (outcome === 'success') {
      this.consecutiveFailures = 0;
      if (this.state === 'HALF_OPEN' && ++this.#trialSuccesses >= this.config.successThreshold) this.#close();
    } else if (outcome === 'failure') {
      this.consecutiveFailures++;
      const { failureThreshold, errorThresholdPercentage, volumeThreshold } = this.config;
      const { success, failure } = this.window();
      const total = success + failure;
      if (this.state === 'HALF_OPEN') this.#open();
      else if (failureThreshold !== false && this.consecutiveFailures >= failureThreshold) this.#open();
      else if (
        errorThresholdPercentage !== false &&
        total >= volumeThreshold &&
        failure * 100 >= errorThresholdPercentage * total
      ) {
        this.#open();
      }
    }
    return true;
  }

  /** Counts of the log entries whose bucket is among the newest `rollingBuckets`. */
  window(): Record<Counted, number> {
    const bucketMs = this.config.rollingWindowMs / this.config.rollingBuckets;
    const newest = Math.floor(this.now / bucketMs);
    const counts: Record<Counted, number> = { success: 0, failure: 0, ignored: 0, reject: 0 };
    for (const { at, kind } of this.#log) {
      if (Math.floor(at / bucketMs) > newest - this.config.rollingBuckets) counts[kind]++;
    }
    return counts;
  }

  #open(): void {
    this.state = 'OPEN';
    this.#openedAt = this.now;
  }

  #close(): void {
    this.state = 'CLOSED';
    this.consecutiveFailures = 0;
    this.#log = [];
  }
}

const configs: fc.Arbitrary<Config> = fc
  .record({
    failureThreshold: fc.oneof(fc.constant(false as const), fc.integer({ min: 1, max: 5 })),
    errorThresholdPercentage: fc.oneof(fc.constant(false as const), fc.integer({ min: 1, max: 100 })),
    volumeThreshold: fc.integer({ min: 1, max: 8 }),
    rollingWindowMs: fc.integer({ min: 100, max: 5_000 }),
    rollingBuckets: fc.integer({ min: 1, max: 10 }),
    resetTimeout: fc.integer({ min: 0, max: 3_000 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
  })
  .filter((c) => c.failureThreshold !== false || c.errorThresholdPercentage !== false);

const commands: fc.Arbitrary<Command[]> = fc.array(
  fc.oneof(
    {
      arbitrary: fc.constantFrom<Outcome>('success', 'failure', 'ignored').map((call) => ({ call })),
      weight: 3,
    },
    { arbitrary: fc.integer({ min: 0, max: 2_000 }).map((advanceMs) => ({ advanceMs })), weight: 1 },
  ),
  { maxLength: 60 },
);

afterEach(() => {
  vi.useRealTimers();
});

describe('the breaker against a reference model', () => {
  it('random successes, failures, ignored errors and clock advances give the same states and counts', async () => {
    await fc.assert(
      fc.asyncProperty(configs, commands, fc.integer({ min: 0, max: 1e6 }), async (config, script, start) => {
        vi.useFakeTimers({ now: start });
        const model = new Model(config, start);
        let reached = 0;
        const breaker = new CircuitBreaker(async (outcome: Outcome) => {
          reached++;
          if (outcome === 'failure') throw new DependencyError('down');
          if (outcome === 'ignored') throw new BadInputError('bad');
          return outcome;
        }, config);
        try {
          for (const command of script) {
            if ('advanceMs' in command) {
              vi.advanceTimersByTime(command.advanceMs);
              model.now += command.advanceMs;
            } else {
              const before = reached;
              const expectReached = model.call(command.call);
              const error = await breaker.fire(command.call).then(
                () => undefined,
                (e: unknown) => e,
              );
              expect(reached - before).toBe(expectReached ? 1 : 0);
              expect(isCircuitOpenError(error)).toBe(!expectReached);
            }
            model.catchUp();
            const stats = breaker.stats();
            const window = model.window();
            expect({
              state: stats.state,
              consecutiveFailures: stats.consecutiveFailures,
              successes: stats.window.successes,
              failures: stats.window.failures,
              ignored: stats.window.ignored,
              rejects: stats.window.rejects,
            }).toEqual({
              state: model.state,
              consecutiveFailures: model.consecutiveFailures,
              successes: window.success,
              failures: window.failure,
              ignored: window.ignored,
              rejects: window.reject,
            });
          }
        } finally {
          breaker.shutdown();
          expect(vi.getTimerCount()).toBe(0);
          vi.useRealTimers();
        }
      }),
      { numRuns: 300 },
    );
  });
});
