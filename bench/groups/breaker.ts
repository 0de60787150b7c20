/**
 * Per-call cost of a circuit breaker around a trivial async action, against a bare `await` of
 * that action in the same run. Every case runs the same loop: 1,000 sequential calls, each
 * awaited inside a try/catch (free when nothing throws), so the cases differ only in what guards
 * the call. Two cases use the framework's exact breaker configuration, with and without a
 * caller's signal. Peers: opossum (with its defaults, and with its leanest options) and
 * cockatiel's consecutive-failure breaker.
 */
import {
  BreakerRegistry,
  CircuitBreaker,
  defaultIsFailure,
  isCircuitOpenError,
} from '@mcp-exec/circuit-breaker';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import Opossum from 'opossum';
import { defineGroup } from '../lib/group.js';

const CALLS = 1_000;

const action = async (value: number): Promise<number> => value;

// Written by every case so the engine cannot drop the calls as dead code.
let sink = 0;

/** One case: CALLS sequential awaited calls of `call`, failures counted into the sink. */
function loop(call: (i: number) => Promise<unknown>): () => Promise<void> {
  return async () => {
    let failed = 0;
    for (let i = 0; i < CALLS; i++) {
      try {
        await call(i);
      } catch {
        failed++;
      }
    }
    sink += failed;
  };
}

export const group = defineGroup({
  name: 'breaker',
  description: `circuit breakers around a trivial async action; ${CALLS} sequential awaited calls per iteration`,
  baseline: 'bare call',
  async setup() {
    const ours = new CircuitBreaker(action);
    const opened = new CircuitBreaker(action);
    // The framework's configuration exactly (framework/src/calls/skill-breakers.ts): a registry
    // with consecutive mode only, no timeout, its own classifier and open/halfOpen/close listeners.
    const registry = new BreakerRegistry({
      defaults: { failureThreshold: 5, resetTimeout: 60_000, isFailure: (e) => defaultIsFailure(e) },
    });
    const skill = registry.get('skill');
    const callerSignal = new AbortController().signal;
    opened.open();
    const opossumDefaults = new Opossum(action);
    const opossumLean = new Opossum(action, {
      timeout: false,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    });
    const cockatiel = circuitBreaker(handleAll, {
      halfOpenAfter: 60_000,
      breaker: new ConsecutiveBreaker(5),
    });

    // A bench that measures the wrong path is worse than none: check each case does what it says.
    if ((await ours.fire(2)) !== 2 || (await opossumDefaults.fire(2)) !== 2)
      throw new Error('breaker bench: bad setup');
    if ((await skill.execute(() => action(3), { signal: callerSignal })) !== 3) {
      throw new Error('breaker bench: bad setup of the framework case');
    }
    if (!isCircuitOpenError(await opened.fire(1).catch((error: unknown) => error))) {
      throw new Error('breaker bench: the OPEN case does not reject with CircuitOpenError');
    }

    return {
      cases: [
        { name: 'bare call', opsPerCall: CALLS, fn: loop((i) => action(i)) },
        { name: 'ours, CLOSED (fire)', opsPerCall: CALLS, fn: loop((i) => ours.fire(i)) },
        { name: 'ours, CLOSED (execute)', opsPerCall: CALLS, fn: loop((i) => ours.execute(() => action(i))) },
        {
          name: 'ours, framework options (execute)',
          opsPerCall: CALLS,
          fn: loop((i) => skill.execute(() => action(i))),
        },
        {
          name: 'ours, framework options (execute, caller signal)',
          opsPerCall: CALLS,
          fn: loop((i) => skill.execute(() => action(i), { signal: callerSignal })),
        },
        { name: 'ours, rejection while OPEN', opsPerCall: CALLS, fn: loop((i) => opened.fire(i)) },
        { name: 'opossum 9, defaults', opsPerCall: CALLS, fn: loop((i) => opossumDefaults.fire(i)) },
        { name: 'opossum 9, leanest options', opsPerCall: CALLS, fn: loop((i) => opossumLean.fire(i)) },
        {
          name: 'cockatiel 3, consecutive breaker',
          opsPerCall: CALLS,
          fn: loop((i) => cockatiel.execute(() => action(i))),
        },
      ],
      teardown() {
        for (const breaker of [ours, opened]) breaker.shutdown();
        registry.shutdown();
        for (const breaker of [opossumDefaults, opossumLean]) breaker.shutdown();
        if (Number.isNaN(sink)) console.log(sink);
      },
    };
  },
  goals: [
    {
      name: 'our CLOSED fire() overhead above a bare call',
      unit: 'ns',
      measure: (r) => r.get('ours, CLOSED (fire)').meanNs - r.get('bare call').meanNs,
      max: 1_000,
    },
    {
      name: 'framework-options execute() overhead above a bare call',
      unit: 'ns',
      measure: (r) => r.get('ours, framework options (execute)').meanNs - r.get('bare call').meanNs,
      max: 1_000,
    },
    {
      name: 'our CLOSED fire() vs opossum defaults (below 1x = cheaper)',
      unit: 'x',
      measure: (r) => r.get('ours, CLOSED (fire)').meanNs / r.get('opossum 9, defaults').meanNs,
      max: 1,
    },
    {
      name: 'a rejection while OPEN',
      unit: 'ns',
      measure: (r) => r.get('ours, rejection while OPEN').meanNs,
      max: 1_000,
    },
  ],
});
