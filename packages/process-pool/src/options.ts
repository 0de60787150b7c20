import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/** Options of {@link PythonPool}. Every field is optional. */
export interface PythonPoolOptions {
  /**
   * The Python interpreter (>= 3.9). It is resolved once per process to the real executable
   * (`sys.executable`), so a launcher shim such as pyenv's does not cost 50-100 ms per spawn.
   * @default 'python3'
   * @example { python: '/opt/venv/bin/python' }
   */
  python?: string;
  /**
   * Workers kept alive even when idle; `start()` spawns them and waits for their first answer.
   * @default 1
   */
  minWorkers?: number;
  /**
   * Most workers alive at once, which is also how many batches run in parallel.
   * @default os.availableParallelism()
   */
  maxWorkers?: number;
  /**
   * How long a batch may wait for a worker (a free one, or a new one starting) before its tasks
   * fail with `AcquireTimeoutError`. Also bounds how long a worker may take to start.
   * @default 10_000
   */
  acquireTimeoutMs?: number;
  /**
   * Default timeout of one task, from the moment it starts in its worker. A `run()` may pass its
   * own `timeoutMs`.
   * @default 30_000
   */
  taskTimeoutMs?: number;
  /**
   * How long after a task's timeout Node waits for the worker's own interruption before it kills
   * the worker (needed for C code that holds the GIL). Also how long a stopping worker may take
   * to exit before it is killed.
   * @default 2_000
   */
  killGraceMs?: number;
  /**
   * A worker is replaced after about this many tasks (each worker draws its own limit between
   * 80 % and 100 % of it, so that workers do not all restart at once). Bounds slow leaks in
   * skills; no task fails because of it.
   * @default Infinity
   * @example { maxTasksPerWorker: 10_000 }
   */
  maxTasksPerWorker?: number;
  /**
   * A worker idle this long is stopped, down to `minWorkers`.
   * @default 60_000
   */
  idleTimeoutMs?: number;
  /**
   * Caps each worker's address space (`RLIMIT_AS`, Linux). A task that allocates beyond it fails
   * with `MemoryLimitError` and its worker is replaced. Leave room for the interpreter and its
   * imports (~30-60 MiB, more with numpy and its threads).
   * @default undefined (no limit)
   */
  memoryLimitMb?: number;
  /**
   * Variables added to the workers' environment (after `inheritEnv`).
   * @default {}
   * @example { env: { OPENAI_API_KEY: key, PYTHONPATH: '/srv/lib' } }
   */
  env?: Readonly<Record<string, string>>;
  /**
   * Names of the parent's environment variables the workers see; a trailing `*` matches a
   * prefix. Everything else (tokens, keys) stays out of reach of the skills.
   * @default ['PATH', 'HOME', 'LANG', 'LC_*', 'TZ', 'TMPDIR']
   */
  inheritEnv?: readonly string[];
  /**
   * Working directory of the workers.
   * @default process.cwd()
   */
  cwd?: string;
  /**
   * Most bytes kept of what one task writes to `sys.stdout`, and as much for `sys.stderr`; the
   * rest is dropped and a note says how much.
   * @default 1_048_576 (1 MiB)
   */
  maxOutputBytes?: number;
  /**
   * Largest message on the protocol pipes, in bytes: one task's request, or one task's result
   * with its output. Larger ones fail that task with `MessageTooLargeError`.
   * @default 67_108_864 (64 MiB)
   */
  maxMessageBytes?: number;
  /** How tasks are grouped into batches (see `@mcp-exec/ipc-batch`). */
  batch?: {
    /**
     * Most tasks in one batch (one pipe write, one worker).
     * @default 100
     */
    maxBatchSize?: number;
    /**
     * How long a lone task may wait for company. `0` sends it at the end of the current turn of
     * the event loop: concurrent calls still travel together, a lone call goes at once.
     * @default 0
     */
    maxDelayMs?: number;
  };
}

export const DEFAULT_INHERIT_ENV: readonly string[] = ['PATH', 'HOME', 'LANG', 'LC_*', 'TZ', 'TMPDIR'];

/** Options after validation, with every default applied. */
export interface ResolvedPoolOptions {
  readonly python: string;
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly acquireTimeoutMs: number;
  readonly taskTimeoutMs: number;
  readonly killGraceMs: number;
  readonly maxTasksPerWorker: number;
  readonly idleTimeoutMs: number;
  readonly memoryLimitMb: number | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly inheritEnv: readonly string[];
  readonly cwd: string;
  readonly maxOutputBytes: number;
  readonly maxMessageBytes: number;
  readonly maxBatchSize: number;
  readonly maxDelayMs: number;
}

/** setTimeout cannot wait longer than this; beyond it, it fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

function integer(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new TypeError(`${name} must be an integer ${range}, got ${describe(value)}`);
  }
  return value;
}

function integerOrInfinity(name: string, value: unknown, min: number): number {
  if (value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`${name} must be an integer >= ${min} or Infinity, got ${describe(value)}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Checks a per-call timeout: a positive integer number of milliseconds. */
export function timeoutOption(name: string, value: unknown): number {
  return integer(name, value, 1, MAX_TIMER_MS);
}

function stringRecord(name: string, value: unknown): Readonly<Record<string, string>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object of strings, got ${describe(value)}`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new TypeError(`${name}.${key} must be a string, got ${describe(item)}`);
    }
  }
  return { ...(value as Record<string, string>) };
}

export function resolvePoolOptions(options: PythonPoolOptions = {}): ResolvedPoolOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  const python = options.python ?? 'python3';
  if (typeof python !== 'string' || python.trim() === '') {
    throw new TypeError(`python must be a non-empty string, got ${describe(python)}`);
  }
  const maxWorkers = integer('maxWorkers', options.maxWorkers ?? availableParallelism(), 1);
  const minWorkers = integer('minWorkers', options.minWorkers ?? 1, 0);
  if (minWorkers > maxWorkers) {
    throw new TypeError(`minWorkers must be <= maxWorkers (${maxWorkers}), got ${minWorkers}`);
  }
  const inheritEnv = options.inheritEnv ?? DEFAULT_INHERIT_ENV;
  if (!Array.isArray(inheritEnv) || inheritEnv.some((name) => typeof name !== 'string' || name === '')) {
    throw new TypeError(`inheritEnv must be an array of variable names, got ${describe(inheritEnv)}`);
  }
  const cwd = options.cwd ?? process.cwd();
  if (typeof cwd !== 'string' || cwd === '') {
    throw new TypeError(`cwd must be a non-empty string, got ${describe(cwd)}`);
  }
  const batch = options.batch ?? {};
  if (typeof batch !== 'object' || batch === null) {
    throw new TypeError(`batch must be an object, got ${describe(batch)}`);
  }
  return {
    python,
    minWorkers,
    maxWorkers,
    acquireTimeoutMs: integer('acquireTimeoutMs', options.acquireTimeoutMs ?? 10_000, 1, MAX_TIMER_MS),
    taskTimeoutMs: integer('taskTimeoutMs', options.taskTimeoutMs ?? 30_000, 1, MAX_TIMER_MS),
    killGraceMs: integer('killGraceMs', options.killGraceMs ?? 2_000, 0, MAX_TIMER_MS),
    maxTasksPerWorker: integerOrInfinity('maxTasksPerWorker', options.maxTasksPerWorker ?? Infinity, 1),
    idleTimeoutMs: integer('idleTimeoutMs', options.idleTimeoutMs ?? 60_000, 1, MAX_TIMER_MS),
    memoryLimitMb:
      options.memoryLimitMb === undefined ? undefined : integer('memoryLimitMb', options.memoryLimitMb, 16),
    env: stringRecord('env', options.env ?? {}),
    inheritEnv: [...inheritEnv],
    cwd: resolve(cwd),
    maxOutputBytes: integer('maxOutputBytes', options.maxOutputBytes ?? 1_048_576, 0),
    maxMessageBytes: integer('maxMessageBytes', options.maxMessageBytes ?? 67_108_864, 1024),
    maxBatchSize: integer('batch.maxBatchSize', batch.maxBatchSize ?? 100, 1),
    maxDelayMs: integer('batch.maxDelayMs', batch.maxDelayMs ?? 0, 0, MAX_TIMER_MS),
  };
}
