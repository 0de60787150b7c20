import { resolve } from 'node:path';
import type { PythonPoolOptions } from '@mcp-exec/process-pool';
import { isWorkerCrashedError } from '@mcp-exec/process-pool';
import { MAX_TIMER_MS } from './call-options.js';
import type { FrameworkRetryOptions, MCPCodeExecutionFrameworkOptions } from './options.js';
import { isSkillName, SKILL_NAME_PATTERN } from './skills/skill-name.js';
import { closestMatches } from './util/closest.js';

/** Every option with its default applied and its value checked. */
export interface ResolvedOptions {
  readonly skillsDir: string;
  readonly cacheSkills: boolean;
  readonly cacheMaxSize: number;
  readonly cacheTTL: number;
  readonly maxConcurrentSkills: number;
  readonly maxQueue: number;
  readonly taskTimeoutMs: number;
  readonly enablePreloading: boolean;
  readonly preloadList: readonly string[];
  readonly enablePrefetching: boolean;
  readonly prefetchThreshold: number;
  readonly prefetchMinObservations: number;
  readonly usageFile: string | undefined;
  readonly preloadTopN: number;
  readonly usageWindow: number;
  readonly usageSaveInterval: number;
  readonly enableCircuitBreaker: boolean;
  readonly circuitBreakerThreshold: number;
  readonly circuitBreakerTimeout: number;
  readonly retry: Required<Pick<FrameworkRetryOptions, 'maxAttempts' | 'isRetryable'>> &
    FrameworkRetryOptions;
  readonly pool: PythonPoolOptions;
  readonly skillCheckInterval: number;
  readonly taskHistorySize: number;
  readonly resultCacheMaxSize: number;
  readonly resultCacheTTL: number;
}

type Known = keyof MCPCodeExecutionFrameworkOptions;

const OPTION_NAMES: readonly Known[] = [
  'skillsDir',
  'cacheSkills',
  'cacheMaxSize',
  'cacheTTL',
  'maxConcurrentSkills',
  'maxQueue',
  'taskTimeoutMs',
  'enablePreloading',
  'preloadList',
  'enablePrefetching',
  'prefetchThreshold',
  'prefetchMinObservations',
  'usageFile',
  'preloadTopN',
  'usageWindow',
  'usageSaveInterval',
  'enableCircuitBreaker',
  'circuitBreakerThreshold',
  'circuitBreakerTimeout',
  'retry',
  'pool',
  'skillCheckInterval',
  'taskHistorySize',
  'resultCacheMaxSize',
  'resultCacheTTL',
];

const RETRY_NAMES = ['maxAttempts', 'baseDelayMs', 'maxDelayMs', 'jitter', 'random', 'isRetryable'];
// setTimeout's ceiling: longer delays fire at once.

/** Checks the constructor's options and fills in the defaults; throws `TypeError` naming the option. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const o = objectOf('options', options ?? {});
  unknownKeys('', o, OPTION_NAMES);
  const preloadList = o.preloadList ?? [];
  if (!Array.isArray(preloadList))
    throw new TypeError(`preloadList must be an array of skill names, got ${show(preloadList)}`);
  preloadList.forEach((name: unknown, i) => {
    if (!isSkillName(name)) {
      throw new TypeError(
        `preloadList[${i}] must be a skill name matching ${SKILL_NAME_PATTERN.source}, got ${show(name)}`,
      );
    }
  });
  const usageFile = o.usageFile;
  if (usageFile !== undefined && (typeof usageFile !== 'string' || usageFile === '')) {
    throw new TypeError(`usageFile must be a non-empty path, got ${show(usageFile)}`);
  }
  const prefetchThreshold = o.prefetchThreshold ?? 0.5;
  if (typeof prefetchThreshold !== 'number' || !(prefetchThreshold > 0 && prefetchThreshold <= 1)) {
    throw new TypeError(
      `prefetchThreshold must be a number above 0 and at most 1, got ${show(prefetchThreshold)}`,
    );
  }
  const skillsDir = o.skillsDir ?? './skills';
  if (typeof skillsDir !== 'string' || skillsDir === '') {
    throw new TypeError(`skillsDir must be a non-empty path, got ${show(skillsDir)}`);
  }
  return {
    skillsDir: resolve(skillsDir),
    cacheSkills: bool('cacheSkills', o.cacheSkills, true),
    cacheMaxSize: int('cacheMaxSize', o.cacheMaxSize, 50, 1),
    cacheTTL: int('cacheTTL', o.cacheTTL, 3_600_000, 0),
    maxConcurrentSkills: int('maxConcurrentSkills', o.maxConcurrentSkills, 32, 1),
    maxQueue: o.maxQueue === Number.POSITIVE_INFINITY ? o.maxQueue : int('maxQueue', o.maxQueue, 10_000, 0),
    taskTimeoutMs: int('taskTimeoutMs', o.taskTimeoutMs, 30_000, 1, MAX_TIMER_MS),
    enablePreloading: bool('enablePreloading', o.enablePreloading, false),
    preloadList: Object.freeze([...(preloadList as string[])]),
    enablePrefetching: bool('enablePrefetching', o.enablePrefetching, false),
    prefetchThreshold,
    prefetchMinObservations: int('prefetchMinObservations', o.prefetchMinObservations, 3, 1),
    usageFile: usageFile === undefined ? undefined : resolve(usageFile),
    preloadTopN: int('preloadTopN', o.preloadTopN, 5, 0),
    usageWindow: int('usageWindow', o.usageWindow, 1_000, 2, 10_000_000),
    usageSaveInterval: int('usageSaveInterval', o.usageSaveInterval, 30_000, 0, MAX_TIMER_MS),
    enableCircuitBreaker: bool('enableCircuitBreaker', o.enableCircuitBreaker, true),
    circuitBreakerThreshold: int('circuitBreakerThreshold', o.circuitBreakerThreshold, 5, 1),
    circuitBreakerTimeout: int('circuitBreakerTimeout', o.circuitBreakerTimeout, 60_000, 0, MAX_TIMER_MS),
    retry: retryOptions(o.retry),
    pool: objectOf('pool', o.pool ?? {}) as PythonPoolOptions,
    skillCheckInterval: int('skillCheckInterval', o.skillCheckInterval, 1_000, 0, MAX_TIMER_MS),
    taskHistorySize: int('taskHistorySize', o.taskHistorySize, 1_000, 0),
    resultCacheMaxSize: int('resultCacheMaxSize', o.resultCacheMaxSize, 1_000, 0, 2 ** 32 - 1),
    resultCacheTTL: int('resultCacheTTL', o.resultCacheTTL, 3_600_000, 0),
  };
}

function retryOptions(value: unknown): ResolvedOptions['retry'] {
  if (value === false) return { maxAttempts: 1, isRetryable: () => false };
  const r = objectOf('retry', value ?? {});
  unknownKeys('retry.', r, RETRY_NAMES);
  int('retry.baseDelayMs', r.baseDelayMs, 0, 0, MAX_TIMER_MS);
  int('retry.maxDelayMs', r.maxDelayMs, 0, 0, MAX_TIMER_MS);
  if (r.jitter !== undefined && r.jitter !== 'full' && r.jitter !== 'none') {
    throw new TypeError(`retry.jitter must be 'full' or 'none', got ${show(r.jitter)}`);
  }
  for (const name of ['random', 'isRetryable'] as const) {
    if (r[name] !== undefined && typeof r[name] !== 'function') {
      throw new TypeError(`retry.${name} must be a function, got ${show(r[name])}`);
    }
  }
  return {
    baseDelayMs: 100,
    ...(r as FrameworkRetryOptions),
    maxAttempts: int('retry.maxAttempts', r.maxAttempts, 2, 1),
    isRetryable: (r.isRetryable as FrameworkRetryOptions['isRetryable']) ?? isWorkerCrashedError,
  };
}

function unknownKeys(prefix: string, o: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const [best] = closestMatches(key, known, 1);
    const hint =
      best === undefined ? `; the options are ${known.join(', ')}` : `; did you mean "${prefix}${best}"?`;
    throw new TypeError(`Unknown option "${prefix}${key}"${hint}`);
  }
}

function objectOf(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${show(value)}`);
  return value;
}

function int(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new TypeError(`${name} must be an integer ${range}, got ${show(value)}`);
  }
  return value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
