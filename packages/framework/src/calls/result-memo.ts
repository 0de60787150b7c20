import { createHash } from 'node:crypto';
import { type CacheStats, SkillCache, stableKey } from '@mcp-exec/cache';
import type { SkillInfo } from '../skills/skill-loader.js';
import type { ExecuteResult } from '../types.js';
import { deepFreeze } from '../util/deep-freeze.js';

/** Longer input keys are stored as their SHA-256: an entry's size stays bounded whatever the input. */
const MAX_PLAIN_KEY = 512;

/**
 * The results of `cacheable` skills, keyed by the skill's content hash and a stable key of its
 * input: a changed skill has a new hash, so it can never be answered with an older result.
 * A stored result is a frozen copy that every hit shares (a hit allocates nothing).
 */
export class ResultMemo {
  readonly #cache: SkillCache<string, ExecuteResult>;

  constructor(maxSize: number, ttl: number) {
    this.#cache = new SkillCache<string, ExecuteResult>({ maxSize, ttl });
  }

  /** The key of one call, or `undefined` when the input cannot be keyed (the call runs uncached). */
  keyOf(info: SkillInfo, params: Record<string, unknown>): string | undefined {
    let input: string;
    try {
      input = stableKey(params);
    } catch {
      return undefined;
    }
    if (input.length > MAX_PLAIN_KEY) input = `#${createHash('sha256').update(input).digest('base64')}`;
    return `${info.name}\0${info.hash}\0${input}`;
  }

  get(key: string): ExecuteResult | undefined {
    return this.#cache.get(key);
  }

  /**
   * The stored result of `key`, or the one `run` produces; concurrent loads of one key share one
   * `run` (single-flight). A failed run stores nothing. `signal` stops this caller waiting;
   * `run`'s own signal aborts once every caller has given up.
   */
  load(
    key: string,
    run: (signal: AbortSignal) => Promise<ExecuteResult>,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteResult> {
    return this.#cache.load(key, {
      signal,
      loader: async (_key, context) => hitOf(await run(context.signal)),
    });
  }

  stats(): CacheStats {
    return this.#cache.stats();
  }

  clear(): void {
    this.#cache.clear();
  }
}

/**
 * What a hit reports: the original value (a frozen copy, shared by every hit), no output (the
 * skill did not run again), no duration, no attempt, and no worker.
 */
function hitOf(result: ExecuteResult): ExecuteResult {
  return Object.freeze({
    skill: result.skill,
    value: deepFreeze(structuredClone(result.value)),
    stdout: '',
    stderr: '',
    durationMs: 0,
    attempts: 0,
    cached: true,
    workerId: -1,
  });
}
