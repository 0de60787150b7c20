import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fixture, isAlive, waitFor } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Starts a Node process that owns a pool, and resolves with its workers' pids. */
async function startParent(task: string) {
  // tsx from the repository root, so that its tsconfig maps @mcp-exec/* to the sources.
  const child = spawn(process.execPath, ['--import', 'tsx', fixture('orphan-parent.ts'), task], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
  });
  try {
    await waitFor(() => output.includes('\n'), 20_000, 'the parent to report its workers');
    return { child, pids: JSON.parse(output) as number[] };
  } catch (error) {
    child.kill('SIGKILL'); // its workers die with it (the behaviour under test)
    throw error;
  }
}

describe('7. no orphans', () => {
  for (const [task, what] of [
    ['spin', 'while True: pass'],
    ['stubborn', 'C code holding the GIL'],
  ] as const) {
    it(`workers exit within 2 s of Node being SIGKILLed, one of them busy with ${what}`, async () => {
      const { child, pids } = await startParent(task);
      try {
        expect(pids).toHaveLength(2);
        for (const pid of pids) expect(isAlive(pid)).toBe(true);
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
        const killedAt = Date.now();
        await waitFor(() => pids.every((pid) => !isAlive(pid)), 2_000, 'the orphaned workers to exit');
        expect(Date.now() - killedAt).toBeLessThan(2_000);
      } finally {
        child.kill('SIGKILL');
        // If the test failed, do not leave the orphans behind.
        for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    }, 30_000);
  }

  it('a script that never closes its pool gets its results, then exits on its own without orphans', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture('forgetful.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onTestFinished(() => {
      child.kill('SIGKILL'); // no-op once it has exited; ends it if the test timed out
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    const report = JSON.parse(output) as { value: number; sum: number; pids: number[] };
    expect(report).toMatchObject({ value: 0.3, sum: 3 });
    expect(report.pids.length).toBeGreaterThanOrEqual(1);
    await waitFor(() => report.pids.every((pid) => !isAlive(pid)), 2_000, 'the workers to exit');
  }, 30_000);
});
