import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { WORKER_MARKER } from '@mcp-exec/process-pool';
import { repoRoot } from './paths.js';
import { resolvePython } from './python.js';

/** One trivial call as the bare pipe's echo process reads it. */
export interface EchoCall {
  readonly id: number;
  readonly fn: string;
  readonly args: readonly unknown[];
}

/** One answer of the echo process, at its call's position: the call's args. */
export type EchoResult = readonly unknown[];

export interface BarePipe {
  /** Sends one call in its own write and waits for its answer: the sequential latency baseline. */
  roundTrip(): Promise<void>;
  /** Sends `callsPerWrite` calls in one write and waits for the answer: the throughput baseline. */
  batch(callsPerWrite: number): Promise<void>;
  /** Sends these calls as one line and resolves with the parsed answer line, one result per call. */
  request(calls: readonly EchoCall[]): Promise<EchoResult[]>;
  /** Ends the process and waits until it has exited and been reaped. */
  close(): Promise<void>;
}

const ECHO = join(repoRoot, 'bench', 'lib', 'echo.py');
const EXIT_GRACE_MS = 2_000;

/**
 * The physical baseline every pipe figure is compared with: one long-lived Python process that
 * answers newline-delimited JSON arrays of trivial calls, driven by the leanest Node loop (a
 * line splitter and JSON, nothing of this repository), one request line in flight at a time.
 */
export async function startBarePipe(): Promise<BarePipe> {
  const child = spawn(resolvePython(), [ECHO, WORKER_MARKER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let partial: Buffer[] = [];
  let nextId = 0;
  let exited = false;

  child.stdout.on('data', (chunk: Buffer) => {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      let line: string;
      if (partial.length === 0) {
        line = chunk.toString('utf8', start, newline);
      } else {
        partial.push(chunk.subarray(start, newline));
        line = Buffer.concat(partial).toString('utf8');
        partial = [];
      }
      waiting.shift()?.resolve(line);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) partial.push(chunk.subarray(start));
  });
  const exit = once(child, 'close').then(() => {
    exited = true;
    const error = new Error(`the echo process exited (code ${child.exitCode}, signal ${child.signalCode})`);
    for (const w of waiting.splice(0)) w.reject(error);
  });
  child.on('error', (error) => {
    for (const w of waiting.splice(0)) w.reject(error);
  });

  const send = (calls: readonly EchoCall[]): Promise<string> => {
    if (exited) return Promise.reject(new Error('the echo process has exited'));
    const answer = new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
    child.stdin.write(`${JSON.stringify(calls)}\n`);
    return answer;
  };
  const calls = (count: number): EchoCall[] => {
    const out = new Array<EchoCall>(count);
    for (let i = 0; i < count; i++) {
      const id = nextId++;
      out[i] = { id, fn: 'echo', args: [id] };
    }
    return out;
  };

  const pipe: BarePipe = {
    async roundTrip() {
      JSON.parse(await send(calls(1)));
    },
    async batch(callsPerWrite) {
      const results = JSON.parse(await send(calls(callsPerWrite))) as EchoResult[];
      if (results.length !== callsPerWrite) throw new Error(`expected ${callsPerWrite} results`);
    },
    async request(batch) {
      return JSON.parse(await send(batch)) as EchoResult[];
    },
    async close() {
      if (!exited) {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
        await exit;
        clearTimeout(timer);
      }
    },
  };
  try {
    await pipe.roundTrip();
  } catch (error) {
    child.kill('SIGKILL');
    await exit;
    throw error;
  }
  return pipe;
}
