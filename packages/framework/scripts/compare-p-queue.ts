/**
 * Why the framework has its own executor instead of p-queue: the cost each adds per task, next
 * to a bare promise, with 256 tasks in flight. Run: `npx tsx packages/framework/scripts/compare-p-queue.ts`
 * (not part of `npm run bench`, whose package does not depend on p-queue).
 */
import PQueue from 'p-queue';
import { Executor } from '../src/executor/executor.js';

const TASKS = 200_000;
const IN_FLIGHT = 256;
const task = () => Promise.resolve(1);

/** ns per task: IN_FLIGHT chains that each start the next task when theirs settles. */
async function perTask(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let launched = 0;
  const chain = async (): Promise<void> => {
    while (launched < TASKS) {
      launched++;
      await run();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, chain));
  return ((performance.now() - started) * 1e6) / TASKS;
}

const best = new Map<string, number>();
for (let round = 0; round < 5; round++) {
  const free = new Executor(IN_FLIGHT, Number.POSITIVE_INFINITY);
  const freeQueue = new PQueue({ concurrency: IN_FLIGHT });
  const busy = new Executor(16, Number.POSITIVE_INFINITY);
  const busyQueue = new PQueue({ concurrency: 16 });
  const figures: [string, number][] = [
    ['bare promise', await perTask(task)],
    ['Executor, free slot', await perTask(() => free.run(task))],
    ['p-queue, free slot', await perTask(() => freeQueue.add(task))],
    ['Executor, queued (16 slots)', await perTask(() => busy.run(task))],
    ['p-queue, queued (16 slots)', await perTask(() => busyQueue.add(task))],
  ];
  for (const [name, ns] of figures) best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, ns));
}
for (const [name, ns] of best)
  console.log(`${name.padEnd(28)} ${ns.toFixed(0).padStart(6)} ns per task (best of 5)`);
