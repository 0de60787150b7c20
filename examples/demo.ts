/**
 * `npm start`: a short tour of what the SDK does, on the example skills, with measured figures.
 * Every figure is measured here, now, on this machine.
 */
import { availableParallelism } from 'node:os';
import { MCPCodeExecutionFramework, type MCPCodeExecutionFrameworkOptions } from '@mcp-exec/framework';
import { skillsDir } from './demo/paths.js';
import {
  backgroundTasks,
  circuitBreaker,
  coldVersusWarm,
  HEAVY_N,
  HEAVY_TASKS,
  type Lines,
  resultCache,
  sequentialVersusParallel,
  stream,
} from './demo/phases.js';

const RESET_TIMEOUT_MS = 1_000;

function framework(options: MCPCodeExecutionFrameworkOptions): MCPCodeExecutionFramework {
  return new MCPCodeExecutionFramework({
    skillsDir,
    cacheSkills: true,
    enableCircuitBreaker: true,
    ...options,
  });
}

/** Prints the title first, so that a phase's progress bar appears under it. */
async function phase(title: string, run: () => Promise<Lines>): Promise<void> {
  console.log(`\n${title}`);
  for (const line of await run()) console.log(`  ${line}`);
}

async function main(): Promise<void> {
  console.log('mcp-exec demo: warm Python workers for agent skills');
  console.log(`Node ${process.version}, ${availableParallelism()} cores, skills from examples/skills`);

  const oneWorker = framework({ maxConcurrentSkills: 8, pool: { minWorkers: 1, maxWorkers: 1 } });
  const twoWorkers = framework({ maxConcurrentSkills: 64, pool: { minWorkers: 2, maxWorkers: 2 } });
  const guarded = framework({
    maxConcurrentSkills: 2,
    circuitBreakerThreshold: 5,
    circuitBreakerTimeout: RESET_TIMEOUT_MS,
    pool: { minWorkers: 2, maxWorkers: 2 },
  });
  const all = [oneWorker, twoWorkers, guarded];
  try {
    await phase('Cold first call vs warm call', () => coldVersusWarm(oneWorker));
    await Promise.all([twoWorkers.start(), guarded.start()]);
    await phase(`CPU-bound skill: ${HEAVY_TASKS} calls of heavy-task-skill (n=${HEAVY_N})`, () =>
      sequentialVersusParallel(oneWorker, twoWorkers),
    );
    await phase('Result cache for a pure skill (pure-sum)', () => resultCache(twoWorkers));
    await phase('Circuit breaker on a failing skill (flaky)', () =>
      circuitBreaker(guarded, RESET_TIMEOUT_MS),
    );
    await phase('Background tasks (5 x slow, maxConcurrentSkills 2)', () => backgroundTasks(guarded));
    await phase('A stream of 1,000 tasks (hello, 64 in flight)', () => stream(twoWorkers, 1_000));
  } finally {
    await Promise.all(all.map((fw) => fw.close()));
  }
  console.log('\nAll workers closed. See `npm run bench` for the full measurements.');
}

await main();
