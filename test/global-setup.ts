import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A test run that leaves a process behind is a failing run. The pool starts its workers with a
 * marker argument and the path of its worker script, which lies inside this checkout; after
 * every test file has finished, none that this run started may still be alive. Workers of other
 * checkouts, or that were already running when the run began, are not this run's business.
 */
const WORKER_MARKER = '--mcp-exec-worker';
const checkout = fileURLToPath(new URL('..', import.meta.url));
let before = new Set<string>();

function workersOfThisCheckout(): Map<string, string> {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const found = new Map<string, string>();
  for (const line of out.split('\n')) {
    if (!line.includes(WORKER_MARKER) || !line.includes(checkout)) continue;
    const pid = line.trim().split(/\s+/, 1)[0]!;
    found.set(pid, line.trim());
  }
  return found;
}

function leftovers(): string[] {
  return [...workersOfThisCheckout()].filter(([pid]) => !before.has(pid)).map(([, line]) => line);
}

export function setup(): void {
  before = new Set(workersOfThisCheckout().keys());
}

export async function teardown(): Promise<void> {
  // Workers are killed asynchronously; give the kernel a moment to reap them before judging.
  for (let attempt = 0; attempt < 30 && leftovers().length > 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const left = leftovers();
  if (left.length > 0) {
    // vitest reports an error thrown here but still exits 0, so fail the run explicitly.
    console.error(`\nThe test run left ${left.length} Python worker(s) running:\n${left.join('\n')}`);
    process.exitCode = 1;
  }
}
