import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PythonPool, WORKER_MARKER } from '@mcp-exec/process-pool';
import { execa } from 'execa';
import { PythonShell } from 'python-shell';
import { startBarePipe } from '../lib/bare-pipe.js';
import { defineGroup } from '../lib/group.js';
import { resolvePython } from '../lib/python.js';

/** Calls per write of the bare pipe, as in the design's baseline. */
const CALLS_PER_WRITE = 100;
/** Calls in flight per measured call of the concurrent case. */
const IN_FLIGHT = 2_000;

const BASELINE = 'pipe: bare, 100 calls a write';
const ROUND_TRIP = 'pipe: bare, one call per write';
const SEQUENTIAL = 'pool: one call at a time';
const CONCURRENT = `pool: ${IN_FLIGHT} calls in flight`;

const SKILL = `
def echo(value=None):
    return value


if __name__ == "__main__":
    import json, sys
    print(json.dumps(echo(int(sys.argv[1]))))
`;

/** A long-lived python-shell peer in JSON mode: one message in, one message out. */
const SHELL_PEER = `
import json, sys
for line in sys.stdin:
    call = json.loads(line)
    print(json.dumps({"id": call["id"], "value": call["value"]}), flush=True)
`;

export const group = defineGroup({
  name: 'pool',
  description:
    'A trivial skill call through PythonPool (sequential latency, concurrent throughput, cold start) vs a fresh process per call, python-shell as a long-lived peer, and the bare NDJSON pipe to one Python process (baseline: 100 calls a write).',
  baseline: BASELINE,
  async setup() {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-exec-bench-pool-'));
    const skill = join(dir, 'echo_skill.py');
    const peer = join(dir, 'shell_peer.py');
    writeFileSync(skill, SKILL);
    writeFileSync(peer, SHELL_PEER);
    // A skill on disk is usually old. A file modified in the last 2 s is re-hashed on every batch
    // (coarse filesystem timestamps could hide a second edit): date it back to measure warm calls.
    const past = new Date(Date.now() - 60_000);
    utimesSync(skill, past, past);
    const python = resolvePython();

    const pipe = await startBarePipe();
    const pool = new PythonPool({ python, minWorkers: 2, maxWorkers: 2 });
    await pool.start();
    await pool.run({ path: skill, fn: 'echo', params: { value: 0 } });

    const shell = new PythonShell(peer, { mode: 'json', pythonPath: python, args: [WORKER_MARKER] });
    const shellWaiters = new Map<number, () => void>();
    shell.on('message', (message: { id: number }) => {
      shellWaiters.get(message.id)?.();
      shellWaiters.delete(message.id);
    });
    let shellId = 0;

    const cold: Promise<void>[] = [];
    const promises = new Array<Promise<unknown>>(IN_FLIGHT);
    let value = 0;

    return {
      cases: [
        { name: BASELINE, fn: () => pipe.batch(CALLS_PER_WRITE), opsPerCall: CALLS_PER_WRITE },
        { name: ROUND_TRIP, fn: () => pipe.roundTrip() },
        { name: SEQUENTIAL, fn: () => pool.run({ path: skill, fn: 'echo', params: { value: value++ } }) },
        {
          name: CONCURRENT,
          fn: async () => {
            for (let i = 0; i < IN_FLIGHT; i++) {
              promises[i] = pool.run({ path: skill, fn: 'echo', params: { value: value++ } });
            }
            await Promise.all(promises);
          },
          opsPerCall: IN_FLIGHT,
        },
        {
          name: 'python-shell (JSON mode), one call at a time',
          fn: () =>
            new Promise<void>((resolve) => {
              const id = shellId++;
              shellWaiters.set(id, resolve);
              shell.send({ id, value: id });
            }),
        },
        {
          name: 'spawn per call (execa python3 skill.py)',
          fn: async () => {
            const { stdout } = await execa(python, [skill, String(value++), WORKER_MARKER]);
            JSON.parse(stdout);
          },
        },
        {
          name: 'cold start: new pool to first result',
          fn: async () => {
            const fresh = new PythonPool({ python, minWorkers: 1, maxWorkers: 1 });
            await fresh.run({ path: skill, fn: 'echo', params: { value: 1 } });
            cold.push(fresh.close());
          },
        },
      ],
      async teardown() {
        await Promise.all(cold);
        await pool.close();
        await pipe.close();
        await new Promise<void>((resolve, reject) =>
          shell.end((error) => (error ? reject(error) : resolve())),
        );
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  goals: [
    {
      name: 'sequential call vs bare round trip (median latency)',
      unit: 'x',
      measure: (r) => r.get(SEQUENTIAL).p50Ns / r.get(ROUND_TRIP).p50Ns,
      max: 2,
    },
    {
      name: 'concurrent throughput of a trivial call',
      unit: 'calls/s',
      measure: (r) => r.get(CONCURRENT).opsPerSec,
      min: 250_000,
    },
    {
      name: 'concurrent pool vs bare batched pipe (throughput)',
      unit: '%',
      measure: (r) => (100 * r.get(CONCURRENT).opsPerSec) / r.get(BASELINE).opsPerSec,
      min: 30,
    },
  ],
});
