import type { CacheStats } from '@mcp-exec/cache';
import type { CircuitState } from '@mcp-exec/circuit-breaker';
import type { PythonPoolStats } from '@mcp-exec/process-pool';
import type { ExecutorStats } from '../executor/executor.js';
import type { SkillStats } from './skill-metrics.js';

/** What `stats()` returns: plain, JSON-serialisable data. */
export interface FrameworkStats {
  readonly state: 'idle' | 'starting' | 'started' | 'closing' | 'closed';
  /** Calls running and waiting, and how many completed or failed. */
  readonly executor: ExecutorStats;
  /** The skill cache; `null` with `cacheSkills: false`. */
  readonly cache: CacheStats | null;
  /** Circuit state by skill (empty with `enableCircuitBreaker: false`). */
  readonly breakers: Readonly<Record<string, CircuitState>>;
  readonly pool: PythonPoolStats;
  /** Counts and latency percentiles by skill. */
  readonly skills: Readonly<Record<string, SkillStats>>;
  /** The same for `executeCode`. */
  readonly code: SkillStats;
}
