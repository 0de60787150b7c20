import type { PythonPool } from '@mcp-exec/process-pool';
import type { Executor } from '../executor/executor.js';
import type { LoadedSkill } from '../skills/skill-loader.js';
import type { SkillRegistry } from '../skills/skill-registry.js';
import { warn } from '../util/warn.js';
import { readUsageFile, UsageFileProblem } from './usage-file.js';
import { UsagePersistence } from './usage-persistence.js';
import { type UsageEntry, UsageTracker } from './usage-tracker.js';

/** What `stats().preloader` returns: plain, JSON-serialisable data. */
export interface PreloaderStats {
  /** Skills preloaded at `start()` (from `preloadList` and the usage file), in that order. */
  readonly preloaded: readonly string[];
  /** Skills prefetched (loaded and imported in every worker in the background). */
  readonly prefetched: number;
  /** Prefetched skills that were then called. */
  readonly prefetchesUsed: number;
  /** `prefetchesUsed / prefetched`, 0 before the first prefetch. */
  readonly prefetchHitRate: number;
  /** Prefetches that failed (the skill's first call reports why). */
  readonly prefetchFailures: number;
  /** Prefetches waiting for an idle moment. */
  readonly prefetchQueued: number;
  /** Usage over the window of recent calls; `null` when usage is not tracked. */
  readonly usage: {
    readonly windowSize: number;
    /** Calls in the window. */
    readonly recorded: number;
    /** Calls by skill in the window, most used first. */
    readonly calls: Readonly<Record<string, number>>;
  } | null;
}

/** What {@link Preloader} works with; the facade owns all of it. */
export interface PreloaderOptions {
  readonly registry: SkillRegistry;
  readonly pool: PythonPool;
  readonly executor: Executor;
  readonly closing: AbortSignal;
  readonly enablePreloading: boolean;
  readonly preloadList: readonly string[];
  readonly preloadTopN: number;
  readonly enablePrefetching: boolean;
  readonly prefetchThreshold: number;
  readonly prefetchMinObservations: number;
  readonly usageFile: string | undefined;
  readonly usageWindow: number;
  readonly usageSaveInterval: number;
  readonly onPreloaded: (skills: readonly string[]) => void;
  readonly onPrefetched: (skill: string, after: string) => void;
}

/** At most this many prefetches wait; more candidates are dropped until the queue drains. */
const MAX_QUEUED = 64;

/**
 * Preloads skills at start, tracks usage, and prefetches the skills that usually follow a call.
 * Its per-call cost (`called`) is O(1) and allocation-free once a skill's targets are warm.
 */
export class Preloader {
  readonly #o: PreloaderOptions;
  readonly #tracker: UsageTracker | undefined;
  readonly #persistence: UsagePersistence | undefined;
  readonly #queue: { readonly skill: UsageEntry; readonly after: string }[] = [];
  #draining: Promise<void> | undefined;
  #preloaded: string[] = [];
  #prefetched = 0;
  #used = 0;
  #failures = 0;

  constructor(options: PreloaderOptions) {
    this.#o = options;
    const track = options.enablePrefetching || options.usageFile !== undefined;
    this.#tracker = track
      ? new UsageTracker(options.usageWindow, {
          threshold: options.prefetchThreshold,
          minObservations: options.prefetchMinObservations,
        })
      : undefined;
    this.#persistence =
      this.#tracker !== undefined && options.usageFile !== undefined
        ? new UsagePersistence(options.usageFile, options.usageSaveInterval, this.#tracker)
        : undefined;
  }

  /** The usage entry of a skill, for its runtime; `undefined` when usage is not tracked. */
  entry(name: string): UsageEntry | undefined {
    return this.#tracker?.entry(name);
  }

  /** A call of a skill (with valid input). The hot path: O(1). */
  called(entry: UsageEntry): void {
    this.#tracker!.record(entry);
    this.#persistence?.changed();
    if (entry.prefetchPending) {
      entry.prefetchPending = false;
      this.#used++;
    }
    if (!this.#o.enablePrefetching) return;
    const targets = entry.targets;
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]!;
      if (!target.warm && !target.queued && target !== entry) this.#consider(entry, target);
    }
  }

  /** A skill was (re)loaded from disk: new content is no longer warm. */
  loaded(skill: LoadedSkill): void {
    const entry = this.#tracker?.find(skill.info.name);
    if (entry !== undefined && entry.warmHash !== skill.info.hash) entry.warm = false;
  }

  /** At start: reads the usage file, then preloads `preloadList` and the most used skills. */
  async start(): Promise<void> {
    const o = this.#o;
    if (this.#tracker !== undefined && o.usageFile !== undefined) {
      const window = await readUsageFile(o.usageFile);
      if (window instanceof UsageFileProblem) warn('MCP_EXEC_USAGE', window.message, window.cause);
      else
        for (const name of window.slice(-this.#tracker.windowSize))
          this.#tracker.record(this.#tracker.entry(name));
    }
    if (!o.enablePreloading) return;
    const top = (this.#tracker?.counts() ?? []).slice(0, o.preloadTopN).map(([name]) => name);
    const names = [...new Set([...o.preloadList, ...top])];
    const listed = new Set(o.preloadList);
    // A listed skill that fails is worth a warning; a used one that vanished since is not.
    await this.#preload(names, (name) => listed.has(name));
  }

  async #preload(names: readonly string[], warnFor: (name: string) => boolean): Promise<void> {
    const { registry, pool } = this.#o;
    const settled = await Promise.allSettled(names.map((name) => registry.get(name)));
    const skills: LoadedSkill[] = [];
    for (const [i, outcome] of settled.entries()) {
      if (outcome.status === 'fulfilled') skills.push(outcome.value);
      else if (warnFor(names[i]!)) {
        warn('MCP_EXEC_PRELOAD', `preloadList: skill "${names[i]}" was not preloaded`, outcome.reason);
      }
    }
    if (skills.length === 0) return;
    try {
      await pool.preload(
        skills.map((s) => s.info.entry),
        { signal: this.#o.closing },
      );
    } catch (error) {
      // An import that fails here fails again on the skill's first call, where it is reported.
      warn('MCP_EXEC_PRELOAD', 'the workers could not import the preloaded skills', error);
      return;
    }
    for (const skill of skills) this.#markWarm(skill);
    this.#preloaded = skills.map((s) => s.info.name);
    this.#o.onPreloaded(this.#preloaded);
  }

  #markWarm(skill: LoadedSkill): UsageEntry | undefined {
    const entry = this.#tracker?.entry(skill.info.name);
    if (entry !== undefined) {
      entry.warm = true;
      entry.warmHash = skill.info.hash;
    }
    return entry;
  }

  #consider(from: UsageEntry, target: UsageEntry): void {
    if (!this.#tracker!.qualifies(from, target)) {
      from.targets = from.targets.filter((t) => t !== target);
      return;
    }
    if (this.#queue.length >= MAX_QUEUED || this.#o.closing.aborted) return;
    target.queued = true;
    this.#queue.push({ skill: target, after: from.name });
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  /** One prefetch at a time, each only when no call waits for a slot. */
  async #drain(): Promise<void> {
    const { executor, registry, pool, closing } = this.#o;
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      const { skill, after } = job;
      let loaded: LoadedSkill | undefined;
      try {
        if (closing.aborted) continue;
        await executor.whenFree();
        // Loading reads files only; the import below is the part that reaches the workers.
        loaded = await registry.get(skill.name, closing);
        if (closing.aborted) continue;
        await executor.whenFree();
        await pool.preload([loaded.info.entry], { signal: closing });
        this.#markWarm(loaded);
        skill.prefetchPending = true;
        this.#prefetched++;
        this.#o.onPrefetched(skill.name, after);
      } catch {
        // Tried once for this content: the skill's next call reports what is wrong.
        if (!closing.aborted) this.#failures++;
        skill.warm = true;
        if (loaded !== undefined) skill.warmHash = loaded.info.hash;
      } finally {
        skill.queued = false;
      }
    }
  }

  stats(): PreloaderStats {
    const tracker = this.#tracker;
    return {
      preloaded: [...this.#preloaded],
      prefetched: this.#prefetched,
      prefetchesUsed: this.#used,
      prefetchHitRate: this.#prefetched === 0 ? 0 : this.#used / this.#prefetched,
      prefetchFailures: this.#failures,
      prefetchQueued: this.#queue.length,
      usage:
        tracker === undefined
          ? null
          : {
              windowSize: tracker.windowSize,
              recorded: tracker.recorded,
              calls: Object.fromEntries(tracker.counts()),
            },
    };
  }

  /** Waits for a prefetch in flight (close() has aborted it), then saves the usage file. */
  async close(): Promise<void> {
    this.#queue.length = 0;
    await this.#draining;
    await this.#persistence?.close();
  }
}
