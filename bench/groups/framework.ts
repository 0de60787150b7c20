import { MCPCodeExecutionFramework } from '@mcp-exec/framework';
import { PythonPool } from '@mcp-exec/process-pool';
import { defineGroup } from '../lib/group.js';
import { skillsDir } from '../lib/paths.js';
import { resolvePython } from '../lib/python.js';

/** Calls in flight per measured call of the concurrent cases. */
const IN_FLIGHT = 2_000;
const SKILLS = skillsDir;
const HELLO = `${SKILLS}/hello/index.py`;

const BASELINE = `pool.run: ${IN_FLIGHT} calls in flight`;
const FACADE = `fw.execute: ${IN_FLIGHT} calls in flight`;
const FACADE_NO_BREAKER = `fw.execute, no breaker: ${IN_FLIGHT} calls in flight`;
const POOL_SEQUENTIAL = 'pool.run: one call at a time';
const FACADE_SEQUENTIAL = 'fw.execute: one call at a time';

/**
 * Node's CPU time per call (user + system, over every iteration), by case. Wall time mostly
 * measures the Python workers and whatever else runs on the machine; the CPU the Node process
 * spends is what the framework's code adds, and it is what caps throughput once Node is the
 * bottleneck.
 */
const cpu = new Map<string, { micros: number; calls: number }>();

function cpuNsPerCall(name: string): number {
  const used = cpu.get(name);
  return used === undefined ? Number.NaN : (used.micros * 1_000) / used.calls;
}

/**
 * The framework's own cost per call: the same trivial skill (`hello`) through the whole facade
 * (skill cache, input schema, breaker, queue, metrics) and straight through a `PythonPool` of
 * the same size, in the same run. The end-to-end figures against the bare pipe belong to the
 * end-to-end group.
 */
export const group = defineGroup({
  name: 'framework',
  description:
    'A warm trivial skill through MCPCodeExecutionFramework vs the same call straight to PythonPool (2 workers each): the framework overhead per call.',
  baseline: BASELINE,
  async setup() {
    const python = resolvePython();
    const poolOptions = { python, minWorkers: 2, maxWorkers: 2 };
    const pool = new PythonPool(poolOptions);
    const options = { skillsDir: SKILLS, maxConcurrentSkills: 4_096, pool: poolOptions };
    const fw = new MCPCodeExecutionFramework(options);
    const bare = new MCPCodeExecutionFramework({ ...options, enableCircuitBreaker: false });
    await Promise.all([pool.start(), fw.start(), bare.start()]);
    await Promise.all([
      pool.run({ path: HELLO, params: {} }),
      fw.execute('hello', {}),
      bare.execute('hello', {}),
    ]);

    const promises = new Array<Promise<unknown>>(IN_FLIGHT);
    const burst = async (name: string, call: () => Promise<unknown>) => {
      const before = process.cpuUsage();
      for (let i = 0; i < IN_FLIGHT; i++) promises[i] = call();
      await Promise.all(promises);
      const used = process.cpuUsage(before);
      const total = cpu.get(name) ?? { micros: 0, calls: 0 };
      cpu.set(name, { micros: total.micros + used.user + used.system, calls: total.calls + IN_FLIGHT });
    };
    const input = { name: 'bench' };
    const concurrent = (name: string, call: () => Promise<unknown>) => ({
      name,
      fn: () => burst(name, call),
      opsPerCall: IN_FLIGHT,
    });
    const cases = [
      concurrent(BASELINE, () => pool.run({ path: HELLO, params: input })),
      concurrent(FACADE_NO_BREAKER, () => bare.execute('hello', input)),
      concurrent(FACADE, () => fw.execute('hello', input)),
    ];
    // Warm every path before counting CPU: otherwise the first case measured pays for compiling
    // the code all three share, and quick runs report nonsense.
    for (let round = 0; round < 5; round++) for (const c of cases) await c.fn();
    cpu.clear();
    return {
      cases: [
        ...cases,
        { name: POOL_SEQUENTIAL, fn: () => pool.run({ path: HELLO, params: input }) },
        { name: FACADE_SEQUENTIAL, fn: () => fw.execute('hello', input) },
      ],
      async teardown() {
        await Promise.all([pool.close(), fw.close(), bare.close()]);
      },
    };
  },
  goals: [
    {
      name: 'Node CPU the facade adds per call, many in flight',
      unit: 'ns',
      measure: () => cpuNsPerCall(FACADE) - cpuNsPerCall(BASELINE),
      max: 2_000,
    },
    {
      name: 'Node CPU the breaker adds per call, many in flight',
      unit: 'ns',
      measure: () => cpuNsPerCall(FACADE) - cpuNsPerCall(FACADE_NO_BREAKER),
      max: 1_000,
    },
    {
      name: 'sequential call through the facade vs pool.run (median latency)',
      unit: 'x',
      measure: (r) => r.get(FACADE_SEQUENTIAL).p50Ns / r.get(POOL_SEQUENTIAL).p50Ns,
      max: 1.2,
    },
  ],
});
