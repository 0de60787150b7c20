import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { PythonPool, type PythonPoolOptions } from '../src/index.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Absolute path of a fixture file. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

const pools: PythonPool[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close({ timeoutMs: 2_000 })));
});

afterAll(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A pool closed after the current test, whatever happens in it. */
export function createPool(options: PythonPoolOptions = {}): PythonPool {
  const pool = new PythonPool({ maxWorkers: 1, ...options });
  pools.push(pool);
  return pool;
}

/** A fresh temporary directory, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-exec-pool-test-'));
  dirs.push(dir);
  return dir;
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` until it returns true; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The pids of the pool's live workers, learned from its events. */
export function trackWorkers(pool: PythonPool): Set<number> {
  const pids = new Set<number>();
  pool.on('workerStart', (event) => pids.add(event.pid));
  pool.on('workerExit', (event) => {
    if (event.pid !== undefined) pids.delete(event.pid);
  });
  return pids;
}
