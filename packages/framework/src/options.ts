import type { BreakerRetryOptions } from '@mcp-exec/circuit-breaker';
import type { PythonPoolOptions } from '@mcp-exec/process-pool';

/** How failed attempts are retried. */
export interface FrameworkRetryOptions extends BreakerRetryOptions {
  /**
   * Whether an attempt's error is worth another attempt. Caller errors (bad input, unknown
   * skill), aborts and an open circuit are never retried, whatever this says.
   * @default only `WorkerCrashedError` (a skill's own exception or a timeout would most likely
   * fail again)
   * @example isRetryable: (e) => isWorkerCrashedError(e) || isTaskTimeoutError(e)
   */
  readonly isRetryable?: (error: unknown, attempt: number) => boolean;
}

/**
 * Options of {@link MCPCodeExecutionFramework}. The first ten are the seed's names, accepted as
 * they are; an option name not listed here is a `TypeError` that suggests the closest one.
 */
export interface MCPCodeExecutionFrameworkOptions {
  /**
   * The folder whose sub-folders are skills (`<skillsDir>/<name>/SKILL.md` or `skill.json`).
   * Relative paths are resolved against the working directory.
   * @default './skills'
   */
  readonly skillsDir?: string;
  /**
   * Keep loaded skills (parsed manifest, compiled input schema) in memory. Without it every
   * call reads the skill's files again.
   * @default true
   */
  readonly cacheSkills?: boolean;
  /**
   * Most skills kept loaded; the least recently used one is dropped beyond it.
   * @default 50
   */
  readonly cacheMaxSize?: number;
  /**
   * How long a loaded skill is kept, in ms (0: until evicted). Changed files are noticed
   * sooner, see `skillCheckInterval`.
   * @default 3_600_000
   */
  readonly cacheTTL?: number;
  /**
   * Most calls handed to the pool at once, across `execute`, `executeParallel`,
   * `executeStream` and background tasks; further calls wait in a priority queue. The pool
   * batches what it is given over its workers, so this may well exceed the worker count.
   * @default 32
   */
  readonly maxConcurrentSkills?: number;
  /**
   * Most calls waiting for a slot; one more is refused at once with `QueueFullError`.
   * `Infinity` removes the bound.
   * @default 10_000
   */
  readonly maxQueue?: number;
  /**
   * Default time limit of one attempt, in ms, when neither the call nor the skill sets one.
   * @default 30_000
   */
  readonly taskTimeoutMs?: number;
  /**
   * At `start()`, load the skills of `preloadList` and import them in the workers, so that the
   * first call to them is warm.
   * @default false
   */
  readonly enablePreloading?: boolean;
  /**
   * Skills to preload when `enablePreloading` is on.
   * @default []
   */
  readonly preloadList?: readonly string[];
  /**
   * Accepted for the seed's configuration; prefetching (loading the skills that usually follow
   * a call in the background) is not implemented yet and this flag changes nothing.
   * @default false
   */
  readonly enablePrefetching?: boolean;
  /**
   * Guard each skill with its own circuit breaker.
   * @default true
   */
  readonly enableCircuitBreaker?: boolean;
  /**
   * Consecutive failures of a skill that open its circuit.
   * @default 5
   */
  readonly circuitBreakerThreshold?: number;
  /**
   * Time an open circuit stays open before it lets one trial call through (HALF_OPEN), in ms.
   * @default 60_000
   */
  readonly circuitBreakerTimeout?: number;
  /**
   * Retry of failed attempts, or `false` for none. Each attempt queues again, so a retry never
   * holds a slot while it backs off; the breaker sees the call once, with its final outcome.
   * @default { maxAttempts: 2, baseDelayMs: 100 } retrying only a crashed worker
   */
  readonly retry?: FrameworkRetryOptions | false;
  /**
   * Options of the `PythonPool` the framework creates and owns.
   * @default {} (the pool's defaults)
   */
  readonly pool?: PythonPoolOptions;
  /**
   * At most one `stat` of a cached skill's files per this many ms, to notice changed skills;
   * `0` checks on every call (for development).
   * @default 1_000
   */
  readonly skillCheckInterval?: number;
  /**
   * Finished background tasks remembered for `getTask`; the oldest are forgotten first.
   * @default 1_000
   */
  readonly taskHistorySize?: number;
}
