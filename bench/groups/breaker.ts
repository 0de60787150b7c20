/**
 * Per-call cost of a circuit breaker around a trivial async action, against a bare `await` of
 * that action in the same run. Every case runs the same loop: 1,000 sequential calls, each
 * awaited inside a try/catch (free when nothing throws), so the cases differ only in what guards
 * the call. Peers: opossum (with its defaults, and with its leanest options) and cockatiel's
 * consecutive-failure breaker.
 */
import { CircuitBreaker, isCircuitOpenError } from '@mcp-exec/circuit-breaker';
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
    if (!isCircuitOpenError(await opened.fire(1).catch((error: unknown) => error))) {
      throw new Error('breaker bench: the OPEN case does not reject with CircuitOpenError');
    }

    return {
      cases: [
        { name: 'bare call', opsPerCall: CALLS, fn: loop((i) => action(i)) },
        { name: 'ours, CLOSED (fire)', opsPerCall: CALLS, fn: loop((i) => ours.fire(i)) },
        { name: 'ours, CLOSED (execute)', opsPerCall: CALLS, fn: loop((i) => ours.execute(() => action(i))) },
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
