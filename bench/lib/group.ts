/** One measured case of a group. */
export interface BenchCase {
  /** Shown in the table and used by goals to refer to this case. */
  readonly name: string;
  /** One iteration. It may run many operations, see `opsPerCall`. */
  readonly fn: () => unknown;
  /**
   * How many operations one call of `fn` performs: time per operation is the iteration time
   * divided by this. Loop sub-microsecond work inside `fn` so that timer overhead does not
   * dominate.
   * @default 1
   */
  readonly opsPerCall?: number;
}

/** What `setup()` hands the runner: the cases, and how to release what setup acquired. */
export interface GroupSession {
  readonly cases: readonly BenchCase[];
  readonly teardown?: () => Promise<void> | void;
}

/** The figures of one measured case. Times are in nanoseconds per operation. */
export interface CaseResult {
  readonly name: string;
  readonly opsPerSec: number;
  readonly meanNs: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rme: number;
  readonly samples: number;
  /** Time per operation divided by the baseline's: 2 means twice as slow as the baseline. */
  readonly vsBaseline: number;
}

/** Read-only access to a group's results, for goals. */
export interface GroupResults {
  get(name: string): CaseResult;
}

/** A performance goal checked after the group ran. */
export interface Goal {
  /** What is claimed, e.g. `hit within 1.2x of a bare lru-cache get`. */
  readonly name: string;
  /** Unit of the measured value, for the report: `x`, `ns`, `calls/s`, `%`. */
  readonly unit: string;
  readonly measure: (results: GroupResults) => number;
  /** The value must be at least this. */
  readonly min?: number;
  /** The value must be at most this. */
  readonly max?: number;
}

/**
 * A headline figure of the seed projects this SDK replaces, set beside what we measure. Claims
 * are printed in one closing table after every group has run.
 */
export interface Claim {
  /** What the seed claimed, in its words: `2,500 tasks/s`. */
  readonly seed: string;
  /** What we measure for it, and how: `trivial skill through the facade, many in flight`. */
  readonly ours: string;
  readonly unit: string;
  readonly measure: (results: GroupResults) => number;
}

/** A bench group: one file in `bench/groups/` exporting `group`. */
export interface BenchGroup {
  readonly name: string;
  /** One line shown above the table. */
  readonly description: string;
  /** The case every other case is compared with, measured in the same run. */
  readonly baseline: string;
  /** Starts whatever the cases need (processes, caches) and returns the cases. */
  readonly setup: (options: { quick: boolean }) => Promise<GroupSession> | GroupSession;
  readonly goals?: readonly Goal[];
  /** Seed claims this group's figures answer; see {@link Claim}. */
  readonly claims?: readonly Claim[];
}

/** Identity helper that gives group files type checking and inference. */
export function defineGroup(group: BenchGroup): BenchGroup {
  return group;
}
