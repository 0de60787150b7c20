import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The worker script shipped with the package (`python/`, next to `src/` and `dist/`). */
export const WORKER_SCRIPT = new URL('../python/worker.py', import.meta.url);
/** Marks the pool's processes in `ps` (the test suite's leak check looks for it). */
export const WORKER_MARKER = '--mcp-exec-worker';

/** How to start one worker process. */
export interface SpawnOptions {
  readonly executable: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly maxOutputBytes: number;
  readonly maxMessageBytes: number;
  readonly taskTimeoutMs: number;
  readonly memoryLimitMb: number | undefined;
}

/** A worker process and its pipes: fd 1 and 2 for the tasks, fd 3 (in) and 4 (out) for the protocol. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly input: Writable;
  readonly output: Readable;
}

function ignore(): void {}

/**
 * Starts `python -u worker.py --mcp-exec-worker ...` with the protocol on two extra pipes, a clean
 * environment (`env` only) and stdin on /dev/null. Every handle is unref'd: the worker decides
 * when its result pipe keeps Node alive (while work is in flight).
 */
export function spawnWorker(options: SpawnOptions): WorkerProcess {
  const args = [
    '-u',
    fileURLToPath(WORKER_SCRIPT),
    WORKER_MARKER,
    `--max-output-bytes=${options.maxOutputBytes}`,
    `--max-message-bytes=${options.maxMessageBytes}`,
    `--task-timeout-ms=${options.taskTimeoutMs}`,
  ];
  if (options.memoryLimitMb !== undefined) args.push(`--memory-limit-mb=${options.memoryLimitMb}`);
  const subprocess = execa(options.executable, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    env: options.env as Record<string, string>,
    extendEnv: false,
    cwd: options.cwd,
    buffer: false,
    reject: false,
    // The pool kills its workers itself, and they exit with Node: execa's exit hook would only
    // add a process listener per worker.
    cleanup: false,
  });
  // execa's subprocess is a ChildProcess; its promise (which never rejects here) is not needed.
  subprocess.catch(ignore);
  const [, stdout, stderr, input, output] = subprocess.stdio as unknown as [
    null,
    Readable,
    Readable,
    Writable,
    Readable,
  ];
  for (const stream of [stdout, stderr, input, output]) {
    stream.on('error', ignore); // EPIPE and the like: the exit event tells what happened
    (stream as Partial<Socket>).unref?.();
  }
  const child = subprocess as unknown as ChildProcess;
  child.unref();
  return { child, stdout, stderr, input, output };
}
