/** Latency percentiles over a skill's recent calls, in ms. */
export interface LatencyStats {
  /** How many recent calls these figures cover (at most the window size). */
  readonly samples: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Counters of one skill: plain, JSON-serialisable data. */
export interface SkillStats {
  /**
   * Calls with valid input. The ones that never reached a worker for another reason (aborted
   * while queued, `QueueFullError`, closed) are counted here only.
   */
  readonly calls: number;
  readonly succeeded: number;
  /** Calls that failed in a worker (exception, timeout, crash), after any retries. */
  readonly failed: number;
  /** Calls refused at once because the skill's circuit was open. */
  readonly rejected: number;
  /** Calls whose caller's signal aborted them while a worker ran them. */
  readonly cancelled: number;
  /** Extra attempts made by retry. */
  readonly retries: number;
  /** `null` until a call has finished. */
  readonly latencyMs: LatencyStats | null;
}

const WINDOW = 1024;

/**
 * Per-skill counters and a ring buffer of the latest durations. Recording is two stores and
 * an increment; sorting happens only when someone asks for `snapshot()`.
 */
export class SkillMetrics {
  readonly #durations = new Float64Array(WINDOW);
  #recorded = 0;
  calls = 0;
  succeeded = 0;
  failed = 0;
  rejected = 0;
  cancelled = 0;
  retries = 0;

  record(durationMs: number): void {
    this.#durations[this.#recorded % WINDOW] = durationMs;
    this.#recorded++;
  }

  snapshot(): SkillStats {
    const n = Math.min(this.#recorded, WINDOW);
    let latencyMs: LatencyStats | null = null;
    if (n > 0) {
      const sorted = this.#durations.slice(0, n).sort();
      let sum = 0;
      for (const d of sorted) sum += d;
      const at = (q: number): number => round(sorted[Math.min(n - 1, Math.ceil(q * n) - 1)] ?? 0);
      latencyMs = {
        samples: n,
        mean: round(sum / n),
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        max: round(sorted[n - 1] ?? 0),
      };
    }
    return {
      calls: this.calls,
      succeeded: this.succeeded,
      failed: this.failed,
      rejected: this.rejected,
      cancelled: this.cancelled,
      retries: this.retries,
      latencyMs,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
