import { execFileSync } from 'node:child_process';

/**
 * A test run that leaves a process behind is a failing run. The pool starts its workers with a
 * marker argument; after every test file has finished, none of them may still be alive.
 */
export const WORKER_MARKER = '--mcp-exec-worker';

function leftoverWorkers(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(WORKER_MARKER) && !line.includes('ps -eo'))
    .map((line) => line.trim());
}

export async function teardown(): Promise<void> {
  // Workers are killed asynchronously; give the kernel a moment to reap them before judging.
  for (let attempt = 0; attempt < 20; attempt++) {
    if (leftoverWorkers().length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const left = leftoverWorkers();
  if (left.length > 0) {
    throw new Error(`The test run left ${left.length} Python worker(s) running:\n${left.join('\n')}`);
  }
}
