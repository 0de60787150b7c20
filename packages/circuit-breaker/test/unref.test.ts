import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

// Every kind of timer the package starts, each an hour long, and nothing else to wait for.
const script = `
import { CircuitBreaker, retry } from ${JSON.stringify(entry)};
const HOUR = 3_600_000;
const hanging = new CircuitBreaker(() => new Promise(() => {}), { timeout: HOUR });
hanging.fire();
const open = new CircuitBreaker(async () => { throw new Error('down'); }, { failureThreshold: 1, resetTimeout: HOUR });
await open.fire().catch(() => {});
const retrying = new CircuitBreaker(async () => { throw Object.assign(new Error('reset'), { code: 'ECONNRESET' }); }, {
  retry: { baseDelayMs: HOUR, jitter: 'none' },
});
retrying.fire().catch(() => {});
retry(async () => { throw Object.assign(new Error('reset'), { code: 'EPIPE' }); }, { baseDelayMs: HOUR, jitter: 'none' }).catch(() => {});
console.log(open.state);
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'breaker-unref-'));
  await writeFile(join(dir, 'timers.mts'), script);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('timers', () => {
  it('never keep the process alive: a process with hour-long breaker timers exits at once', async () => {
    const started = Date.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(dir, 'timers.mts')], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe('OPEN');
    // Far below the hour any ref'd timer would hold it; generous for a loaded machine.
    expect(Date.now() - started).toBeLessThan(50_000);
  }, 70_000);
});
