import { execa } from 'execa';
import { WorkerStartError } from './errors/worker-start-error.js';
import { withSignal } from './with-signal.js';

/** Options of {@link resolvePython}. */
export interface ResolvePythonOptions {
  /**
   * Environment to run the interpreter in (it needs `PATH` to find a bare command name).
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * How long the interpreter may take to answer; then it is killed and the promise rejects with
   * `WorkerStartError`. Applies to the run that resolves the command (results are shared).
   * @default 30_000
   */
  timeoutMs?: number;
  /** Stops waiting; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

const resolved = new Map<string, Promise<string>>();

/**
 * The real interpreter behind `python` (`sys.executable`), resolved once per command and
 * environment `PATH` for the life of the process. Launchers such as pyenv's shims re-resolve the
 * interpreter on every spawn, which costs 50-100 ms; the pool spawns the real one directly.
 * Rejects with `WorkerStartError` when the command cannot run.
 * @example await resolvePython('python3'); // '/usr/bin/python3.11'
 */
export function resolvePython(python = 'python3', options: ResolvePythonOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const key = `${python}\0${env.PATH ?? ''}`;
  let pending = resolved.get(key);
  if (pending === undefined) {
    pending = probe(python, env, options.timeoutMs ?? 30_000);
    resolved.set(key, pending);
    // A failure is not cached: the interpreter may be installed by the next attempt.
    pending.catch(() => resolved.delete(key));
  }
  return withSignal(pending, options.signal);
}

async function probe(
  python: string,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
): Promise<string> {
  const script = 'import sys; print(sys.executable or ""); print("%d.%d.%d" % sys.version_info[:3])';
  const result = await execa(python, ['-c', script], {
    env: env as Record<string, string>,
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
  });
  if (result.failed) {
    const reason = result.timedOut
      ? `it did not answer within ${timeoutMs} ms`
      : result.exitCode === undefined
        ? result.cause instanceof Error
          ? result.cause.message
          : result.shortMessage
        : `it exited with code ${result.exitCode}`;
    throw new WorkerStartError(
      python,
      reason ?? 'it failed',
      lastLines(String(result.stderr ?? '')),
      result.cause,
    );
  }
  const [executable = '', version = ''] = String(result.stdout).trim().split('\n');
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < 3 || (major === 3 && minor < 9)) {
    throw new WorkerStartError(python, `the pool needs Python >= 3.9, this is ${version || 'unknown'}`);
  }
  return executable === '' ? python : executable;
}

function lastLines(text: string, count = 20): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
