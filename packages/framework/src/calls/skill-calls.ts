import type { BreakerRegistry, CircuitBreaker } from '@mcp-exec/circuit-breaker';
import { isCallerError, retry } from '@mcp-exec/circuit-breaker';
import { isPoolClosedError, type PythonPool } from '@mcp-exec/process-pool';
import { type CallOptions, checkCallOptions } from '../call-options.js';
import { isFrameworkClosedError } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { ResolvedOptions } from '../resolve-options.js';
import type { LoadedSkill } from '../skills/skill-loader.js';
import { SkillMetrics, type SkillStats } from '../stats/skill-metrics.js';
import type { CodeOptions, CodeResult, ExecuteOptions, ExecuteResult } from '../types.js';

/** What one skill keeps across reloads: its counters, its breaker, its option-less call. */
interface SkillRuntime {
  readonly metrics: SkillMetrics;
  readonly breaker: CircuitBreaker | undefined;
  defaultCall: CallOptions;
}

/** What {@link SkillCalls} works with; the facade owns all of it. */
export interface SkillCallsOptions {
  readonly pool: PythonPool;
  readonly executor: Executor;
  readonly breakers: BreakerRegistry | undefined;
  readonly retry: ResolvedOptions['retry'];
  readonly taskTimeoutMs: number;
  /** Aborted by `close()`: ends retry backoffs, which hold no queue slot. */
  readonly closing: AbortSignal;
  /** Turns an error caused by our own shutdown into `FrameworkClosedError`. */
  readonly translate: (error: unknown) => unknown;
}

/**
 * The way of a call once its skill is loaded: input check, breaker, queue slot, worker, retry,
 * counters. On the warm path everything up to `pool.run` is synchronous, and the call costs one
 * promise reaction of ours: every promise and closure per call shows up as GC time when
 * thousands of calls are in flight.
 */
export class SkillCalls {
  readonly #pool: PythonPool;
  readonly #executor: Executor;
  readonly #breakers: BreakerRegistry | undefined;
  readonly #retryPolicy: ResolvedOptions['retry'];
  readonly #taskTimeoutMs: number;
  readonly #closing: AbortSignal;
  readonly #translate: (error: unknown) => unknown;
  readonly #runtimes = new Map<string, SkillRuntime>();
  readonly #codeMetrics = new SkillMetrics();

  constructor(options: SkillCallsOptions) {
    this.#pool = options.pool;
    this.#executor = options.executor;
    this.#breakers = options.breakers;
    this.#retryPolicy = options.retry;
    this.#taskTimeoutMs = options.taskTimeoutMs;
    this.#closing = options.closing;
    this.#translate = options.translate;
  }

  /** Counts and latency percentiles by skill. */
  skillStats(): Record<string, SkillStats> {
    const skills: Record<string, SkillStats> = {};
    for (const [name, runtime] of this.#runtimes) skills[name] = runtime.metrics.snapshot();
    return skills;
  }

  /** The same for `executeCode`. */
  codeStats(): SkillStats {
    return this.#codeMetrics.snapshot();
  }

  /** Runs a loaded skill. */
  run(
    loaded: LoadedSkill,
    input: unknown,
    options: ExecuteOptions | undefined,
    onStart: (() => void) | undefined,
  ): Promise<ExecuteResult> {
    const runtime = this.#runtime(loaded.info.name);
    const timeoutMs = loaded.info.timeout ?? this.#taskTimeoutMs;
    let call: CallOptions;
    let params: Record<string, unknown>;
    try {
      call = this.#callOptions(runtime, options, timeoutMs, onStart);
      params = loaded.validate(input);
    } catch (error) {
      return Promise.reject(error);
    }
    runtime.metrics.calls++;
    const { breaker } = runtime;
    if (breaker === undefined) return this.#attempt(loaded, params, call, runtime, 1, call.signal);
    const { signal } = call;
    if (signal === undefined) {
      return breaker.execute(() => this.#attempt(loaded, params, call, runtime, 1, undefined));
    }
    return breaker.execute((context) => this.#attempt(loaded, params, call, runtime, 1, context.signal), {
      signal,
    });
  }

  /** One attempt: a queue slot, then a worker. Retries happen inside the breaker's call. */
  #attempt(
    loaded: LoadedSkill,
    params: Record<string, unknown>,
    call: CallOptions,
    runtime: SkillRuntime,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteResult> {
    const executor = this.#executor;
    if (signal?.aborted !== true && executor.tryAcquire()) {
      try {
        return this.#inPool(loaded, params, call, runtime, attempt, signal);
      } catch (error) {
        executor.release(false);
        return Promise.reject(error);
      }
    }
    return executor.runOwned(
      () => this.#inPool(loaded, params, call, runtime, attempt, signal),
      call.priority,
      signal,
    );
  }

  #inPool(
    loaded: LoadedSkill,
    params: Record<string, unknown>,
    call: CallOptions,
    runtime: SkillRuntime,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteResult> {
    call.onStart?.();
    const { info } = loaded;
    const task = { path: info.entry, fn: info.function, params, timeoutMs: call.timeoutMs };
    // The warm path's only reaction of ours: it frees the queue slot (runOwned), counts, and
    // builds the result. Every promise and closure per call shows up in GC time when thousands
    // of calls are in flight.
    return this.#pool.run(task, signal === undefined ? undefined : { signal }).then(
      (r) => {
        this.#executor.release(true);
        // The worker's own measure: what the skill costs, without transport or queueing, and no
        // clock reads of ours on the warm path.
        runtime.metrics.record(r.durationMs);
        runtime.metrics.succeeded++;
        return {
          skill: info.name,
          value: r.value,
          stdout: r.stdout,
          stderr: r.stderr,
          durationMs: r.durationMs,
          attempts: attempt,
          cached: false,
          workerId: r.workerId,
        };
      },
      (error: unknown) => this.#failed(error, loaded, params, call, runtime, attempt, signal),
    );
  }

  /** A failed attempt: free the slot, then retry what is retryable, or count it and rethrow. */
  #failed(
    error: unknown,
    loaded: LoadedSkill,
    params: Record<string, unknown>,
    call: CallOptions,
    runtime: SkillRuntime,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteResult> {
    this.#executor.release(false);
    // Later attempts report to the retry loop of the first one.
    if (attempt > 1) return Promise.reject(error);
    const policy = this.#retryPolicy;
    if (
      policy.maxAttempts > 1 &&
      !this.#closing.aborted &&
      !signal?.aborted &&
      !isCallerError(error) &&
      policy.isRetryable(error, 1)
    ) {
      return this.#retry(error, loaded, params, call, runtime, signal);
    }
    return Promise.reject(this.#count(error, runtime, signal));
  }

  async #retry(
    error: unknown,
    loaded: LoadedSkill,
    params: Record<string, unknown>,
    call: CallOptions,
    runtime: SkillRuntime,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteResult> {
    const policy = this.#retryPolicy;
    // Backoffs end at once on close() too: they hold no queue slot that close() could reclaim.
    const stop = signal === undefined ? this.#closing : AbortSignal.any([signal, this.#closing]);
    try {
      // retry() makes the first call itself; replaying the failure we already have as that
      // first attempt lets it apply its backoff before attempt 2, and its rules after that.
      return await retry(
        ({ attempt }) => {
          if (attempt === 1) throw error;
          runtime.metrics.retries++;
          return this.#attempt(loaded, params, call, runtime, attempt, signal);
        },
        // The replayed failure was judged retryable already: do not ask isRetryable twice.
        {
          ...policy,
          signal: stop,
          isRetryable: (e, n) => (n === 1 && e === error) || policy.isRetryable(e, n),
        },
      );
    } catch (last) {
      throw this.#count(last, runtime, signal);
    }
  }

  /** Counts a failure that reached the pool and returns the error to throw. */
  #count(error: unknown, runtime: SkillRuntime, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted && error === signal.reason) runtime.metrics.cancelled++;
    else if (!isFrameworkClosedError(error) && !isPoolClosedError(error)) runtime.metrics.failed++;
    return this.#translate(error);
  }

  /** Runs a snippet through the queue: no breaker, no retry (it may have side effects). */
  runCode<T>(source: string, options: CodeOptions): Promise<CodeResult<T>> {
    if (typeof source !== 'string' || source.trim() === '') {
      return Promise.reject(
        new TypeError(`source must be a non-empty string of Python, got ${typeof source}`),
      );
    }
    const { signal, priority = 0 } = options;
    const timeoutMs = options.timeoutMs ?? this.#taskTimeoutMs;
    const metrics = this.#codeMetrics;
    metrics.calls++;
    return this.#executor
      .run(
        () =>
          this.#pool.runCode(source, { input: options.input, timeoutMs, signal }).then((r) => {
            metrics.record(r.durationMs);
            return {
              value: r.value as T,
              stdout: r.stdout,
              stderr: r.stderr,
              durationMs: r.durationMs,
              attempts: 1,
              workerId: r.workerId,
            };
          }),
        priority,
        signal,
      )
      .then(
        (result) => {
          metrics.succeeded++;
          return result;
        },
        (error: unknown) => {
          metrics.failed++;
          throw this.#translate(error);
        },
      );
  }

  /** Most calls pass no options: they share one CallOptions per skill. */
  #callOptions(
    runtime: SkillRuntime,
    options: ExecuteOptions | undefined,
    timeoutMs: number,
    onStart: (() => void) | undefined,
  ): CallOptions {
    if (options !== undefined || onStart !== undefined) return checkCallOptions(options, timeoutMs, onStart);
    if (runtime.defaultCall.timeoutMs !== timeoutMs) {
      runtime.defaultCall = checkCallOptions(undefined, timeoutMs, undefined);
    }
    return runtime.defaultCall;
  }

  #runtime(name: string): SkillRuntime {
    let runtime = this.#runtimes.get(name);
    if (runtime === undefined) {
      const metrics = new SkillMetrics();
      const breaker = this.#breakers?.get(name);
      // Rejections by an open circuit never reach our code otherwise; shutdown() removes this.
      breaker?.on('reject', () => metrics.rejected++);
      runtime = {
        metrics,
        breaker,
        defaultCall: checkCallOptions(undefined, this.#taskTimeoutMs, undefined),
      };
      this.#runtimes.set(name, runtime);
    }
    return runtime;
  }
}
