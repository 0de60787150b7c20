/**
 * End to end: a trivial warm skill through the whole facade (skill cache, input schema,
 * breaker, executor, pool, batcher, worker) next to the physical floor measured in the same run,
 * a bare NDJSON pipe to one Python process; the CPU-bound skill on 1 vs 2 workers; a cold first
 * call vs a warm one; a memoized hit. Its claims set our figures beside the seed's headlines.
 */
import { MCPCodeExecutionFramework, type MCPCodeExecutionFrameworkOptions } from '@mcp-exec/framework';
import { type BarePipe, startBarePipe } from '../lib/bare-pipe.js';
import { defineGroup } from '../lib/group.js';
import { skillsDir } from '../lib/paths.js';
import { resolvePython } from '../lib/python.js';

const SKILLS = skillsDir;
const IN_FLIGHT = 2_000;
const CALLS_PER_WRITE = 100;
/** Writes in flight on the bare pipe: enough that Node and Python never wait for each other. */
const WRITES_IN_FLIGHT = 4;
const HEAVY = { tasks: 8, n: 10 };

const BARE_BATCHED = `bare pipe: ${CALLS_PER_WRITE} calls a write, ${WRITES_IN_FLIGHT} writes in flight`;
const BARE_ROUND_TRIP = 'bare pipe: one call a write, round trip';
const FACADE = `fw.execute(hello): ${IN_FLIGHT} in flight`;
const FACADE_SEQUENTIAL = 'fw.execute(hello): one at a time';
const HEAVY_ONE = `heavy-task-skill x${HEAVY.tasks}: 1 worker`;
const HEAVY_TWO = `heavy-task-skill x${HEAVY.tasks}: 2 workers`;
const COLD = 'cold: new framework, start, first call';
const MEMO_HIT = 'pure-sum, same input again (memoized)';

function framework(options: MCPCodeExecutionFrameworkOptions): MCPCodeExecutionFramework {
  return new MCPCodeExecutionFramework({ skillsDir: SKILLS, ...options });
}

export const group = defineGroup({
  name: 'e2e',
  description:
    'The whole facade end to end, next to a bare NDJSON pipe to one Python process in the same run.',
  baseline: BARE_BATCHED,
  async setup() {
    const python = resolvePython();
    const pipe: BarePipe = await startBarePipe();
    const fw = framework({ maxConcurrentSkills: 4_096, pool: { python, minWorkers: 2, maxWorkers: 2 } });
    const one = framework({ maxConcurrentSkills: 8, pool: { python, minWorkers: 1, maxWorkers: 1 } });
    const two = framework({ maxConcurrentSkills: 8, pool: { python, minWorkers: 2, maxWorkers: 2 } });
    await Promise.all([fw.start(), one.start(), two.start()]);

    const input = { name: 'bench' };
    const promises = new Array<Promise<unknown>>(IN_FLIGHT);
    const burst = async () => {
      for (let i = 0; i < IN_FLIGHT; i++) promises[i] = fw.execute('hello', input);
      await Promise.all(promises);
    };
    const writes = new Array<Promise<void>>(WRITES_IN_FLIGHT);
    const bareBatched = async () => {
      for (let i = 0; i < WRITES_IN_FLIGHT; i++) writes[i] = pipe.batch(CALLS_PER_WRITE);
      await Promise.all(writes);
    };
    const heavyTasks = Array.from({ length: HEAVY.tasks }, () => ({
      skill: 'heavy-task-skill',
      input: { n: HEAVY.n },
    }));
    const heavy = async (target: MCPCodeExecutionFramework) => {
      for (const outcome of await target.executeParallel(heavyTasks)) {
        if (outcome.status === 'rejected') throw outcome.reason;
      }
    };
    const sumInput = { numbers: Array.from({ length: 100 }, (_, i) => i) };
    // Every path warm (modules imported in every worker, code compiled) before measuring.
    for (let round = 0; round < 3; round++) {
      await Promise.all([burst(), bareBatched(), heavy(one), heavy(two), fw.execute('pure-sum', sumInput)]);
    }
    const cold = async () => {
      const fresh = framework({ pool: { python, minWorkers: 1, maxWorkers: 1 } });
      try {
        const started = performance.now();
        await fresh.start();
        await fresh.execute('hello', input);
        return { overriddenDuration: performance.now() - started };
      } finally {
        await fresh.close();
      }
    };
    return {
      cases: [
        { name: BARE_BATCHED, fn: bareBatched, opsPerCall: CALLS_PER_WRITE * WRITES_IN_FLIGHT },
        { name: BARE_ROUND_TRIP, fn: () => pipe.roundTrip() },
        { name: FACADE, fn: burst, opsPerCall: IN_FLIGHT },
        { name: FACADE_SEQUENTIAL, fn: () => fw.execute('hello', input) },
        { name: HEAVY_ONE, fn: () => heavy(one), opsPerCall: HEAVY.tasks },
        { name: HEAVY_TWO, fn: () => heavy(two), opsPerCall: HEAVY.tasks },
        { name: COLD, fn: cold },
        { name: MEMO_HIT, fn: () => fw.execute('pure-sum', sumInput) },
      ],
      async teardown() {
        await Promise.all([pipe.close(), fw.close(), one.close(), two.close()]);
      },
    };
  },
  goals: [
    {
      name: 'warm facade throughput, many in flight',
      unit: '/s',
      measure: (r) => r.get(FACADE).opsPerSec,
      min: 200_000,
    },
    {
      name: 'warm facade throughput vs the bare batched pipe',
      unit: '%',
      measure: (r) => (100 * r.get(FACADE).opsPerSec) / r.get(BARE_BATCHED).opsPerSec,
      min: 25,
    },
    {
      name: 'sequential warm latency vs a bare round trip (median)',
      unit: 'x',
      measure: (r) => r.get(FACADE_SEQUENTIAL).p50Ns / r.get(BARE_ROUND_TRIP).p50Ns,
      max: 2,
    },
    {
      name: 'cold first call vs warm call (median)',
      unit: 'x',
      measure: (r) => r.get(COLD).p50Ns / r.get(FACADE_SEQUENTIAL).p50Ns,
      min: 500,
    },
    {
      name: 'CPU-bound skill, 2 workers vs 1',
      unit: 'x',
      measure: (r) => r.get(HEAVY_ONE).meanNs / r.get(HEAVY_TWO).meanNs,
      min: 1.8,
    },
  ],
  claims: [
    {
      seed: 'cache speedup 175x',
      ours: 'memoized hit vs a warm call that runs in Python (median)',
      unit: 'x',
      measure: (r) => r.get(FACADE_SEQUENTIAL).p50Ns / r.get(MEMO_HIT).p50Ns,
    },
    {
      seed: 'parallel speedup target 2.5x',
      ours: 'CPU-bound skill on 2 workers vs 1 (2 cores)',
      unit: 'x',
      measure: (r) => r.get(HEAVY_ONE).meanNs / r.get(HEAVY_TWO).meanNs,
    },
    {
      seed: '2,500 tasks/s',
      ours: 'trivial warm skill through the facade, many in flight',
      unit: '/s',
      measure: (r) => r.get(FACADE).opsPerSec,
    },
    {
      seed: '0.4 ms a task',
      ours: 'trivial warm skill through the facade, one at a time (median)',
      unit: 'ns',
      measure: (r) => r.get(FACADE_SEQUENTIAL).p50Ns,
    },
  ],
});
