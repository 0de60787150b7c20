/**
 * Where the CPU of a trivial call goes at full load: Node's share and the Python workers' share,
 * per call of `hello` through the facade with 2,000 calls in flight. Not a bench group (it sets
 * no goal); run it after `npm run build && npm run build:apps`:
 *
 *   node bench/.build/probes/cpu-split.js [--workers 2] [--batch 100] [--rounds 40]
 *
 * Workers' CPU is read from `/proc/<pid>/schedstat` (nanoseconds of the main thread, where tasks
 * run), so that figure is Linux only.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MCPCodeExecutionFramework } from '@mcp-exec/framework';
import { skillsDir } from '../lib/paths.js';
import { resolvePython } from '../lib/python.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    batch: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '40' },
  },
});
const workers = Number(values.workers);
const IN_FLIGHT = 2_000;
const BURSTS_PER_ROUND = 10;

/** Nanoseconds the children of this process have run, or NaN where /proc cannot tell. */
function childrenCpuNs(): number {
  try {
    const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
    let total = 0;
    for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
      total += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return total;
  } catch {
    return Number.NaN;
  }
}

const fw = new MCPCodeExecutionFramework({
  skillsDir,
  maxConcurrentSkills: 4_096,
  pool: {
    python: resolvePython(),
    minWorkers: workers,
    maxWorkers: workers,
    batch: { maxBatchSize: Number(values.batch) },
  },
});
let wallMs = 0;
let nodeUs = 0;
let workersNs = 0;
let calls = 0;
try {
  await fw.start();
  const input = { name: 'probe' };
  const promises = new Array<Promise<unknown>>(IN_FLIGHT);
  const burst = async (): Promise<void> => {
    for (let i = 0; i < IN_FLIGHT; i++) promises[i] = fw.execute('hello', input);
    await Promise.all(promises);
  };
  for (let i = 0; i < 100; i++) await burst(); // warm: modules imported, code optimised

  for (let round = 0; round < Number(values.rounds); round++) {
    const cpu = process.cpuUsage();
    const children = childrenCpuNs();
    const started = performance.now();
    for (let i = 0; i < BURSTS_PER_ROUND; i++) await burst();
    wallMs += performance.now() - started;
    const used = process.cpuUsage(cpu);
    nodeUs += used.user + used.system;
    workersNs += childrenCpuNs() - children;
    calls += BURSTS_PER_ROUND * IN_FLIGHT;
  }
} finally {
  await fw.close();
}
console.log(
  `hello through the facade, ${IN_FLIGHT} in flight, ${workers} worker(s), batches of ${values.batch}`,
);
console.log(`  ${((calls / wallMs) * 1_000).toFixed(0)} calls/s over ${calls} calls`);
console.log(`  Node CPU     ${(nodeUs / calls).toFixed(2)} µs a call`);
console.log(`  workers' CPU ${(workersNs / 1_000 / calls).toFixed(2)} µs a call (main threads, /proc)`);
