import { realpath, stat } from 'node:fs/promises';
import { type CacheStats, SkillCache } from '@mcp-exec/cache';
import { InputSchemaCompiler } from './input-validator.js';
import { type LoadedSkill, loadSkill, type SkillInfo, signatureOf } from './skill-loader.js';
import { assertSkillName } from './skill-name.js';
import { skillFolderNames } from './skill-paths.js';

/** Options of {@link SkillRegistry}; the facade maps its own options onto these. */
export interface SkillRegistryOptions {
  readonly skillsDir: string;
  /** Keep loaded skills in a `SkillCache`; without it every call reads the files again. */
  readonly cache: boolean;
  readonly maxSize: number;
  /** ms; 0 = loaded skills never expire. */
  readonly ttl: number;
  /**
   * At most one `stat` of a cached skill's files per this many ms (a change is seen within it,
   * plus a quarter of it at most, 250 ms at most); 0 = on every call.
   */
  readonly checkInterval: number;
  /** Clock in ms; also handed to the cache's TTL when given. */
  readonly now?: () => number;
  /** Called whenever a skill is (re)loaded from disk. */
  readonly onLoad?: (skill: LoadedSkill) => void;
}

interface Entry {
  readonly skill: LoadedSkill;
  checkedAt: number;
  checking: Promise<LoadedSkill> | undefined;
}

/**
 * Finds, loads and caches skills. The warm path (`peek`) is synchronous and touches no file:
 * whether a skill's files changed is checked with one `stat` per file at most once every
 * `checkInterval` ms, by the call that finds the check due. `fs.watch` was not used: it costs a
 * descriptor per skill, misses changes on some network file systems and behind symlinks, and
 * its recursive mode is unreliable on Linux before Node 22.
 */
export class SkillRegistry {
  readonly #options: SkillRegistryOptions;
  readonly #compiler = new InputSchemaCompiler();
  readonly #cache: SkillCache<string, Entry> | undefined;
  readonly #now: () => number;
  /** The coarse clock of the warm path, and the timer that advances it. */
  #coarseNow = performance.now();
  #ticker: NodeJS.Timeout | undefined;
  #closed = false;
  #root: string | undefined;

  constructor(options: SkillRegistryOptions) {
    this.#options = options;
    // Reading the clock costs ~50 ns on a VM, as much as the rest of the cache lookup: the warm
    // path reads a field that a timer refreshes instead. An injected clock is read directly.
    this.#now = options.now ?? (() => this.#coarseNow);
    const { maxSize, ttl, now } = options;
    // An injected clock makes the cache read it on every lookup; without one it keeps
    // lru-cache's own, cheaper clock.
    this.#cache = options.cache
      ? new SkillCache<string, Entry>(now === undefined ? { maxSize, ttl } : { maxSize, ttl, now })
      : undefined;
  }

  /** Resolves `skillsDir`; fails when it is not a readable folder. */
  async open(): Promise<void> {
    const dir = this.#options.skillsDir;
    let real: string;
    try {
      real = await realpath(dir);
    } catch (error) {
      throw new TypeError(`skillsDir must be an existing folder, got "${dir}"`, { cause: error });
    }
    if (!(await stat(real)).isDirectory()) throw new TypeError(`skillsDir must be a folder, got "${dir}"`);
    this.#root = real;
    const coarse = this.#options.now === undefined && this.#options.checkInterval > 0;
    // close() may have come while this was reading the folder.
    if (coarse && this.#ticker === undefined && !this.#closed) {
      const tick = Math.max(10, Math.min(250, Math.floor(this.#options.checkInterval / 4)));
      this.#ticker = setInterval(() => {
        this.#coarseNow = performance.now();
      }, tick);
      this.#ticker.unref();
    }
  }

  /** The real path of `skillsDir` (after `open`). */
  get root(): string {
    if (this.#root === undefined) throw new Error('SkillRegistry.open() has not completed');
    return this.#root;
  }

  /** A cached skill whose change check is not due, or `undefined`. No I/O, no promise. */
  peek(name: string): LoadedSkill | undefined {
    const entry = this.#cache?.get(name);
    if (entry === undefined) return undefined;
    const interval = this.#options.checkInterval;
    return interval > 0 && this.#now() - entry.checkedAt < interval ? entry.skill : undefined;
  }

  /** The skill, from the cache when it is still current, else loaded from disk. */
  async get(name: string, signal?: AbortSignal): Promise<LoadedSkill> {
    const cache = this.#cache;
    if (cache === undefined) return this.#load(name);
    const entry = cache.get(name);
    if (entry !== undefined) {
      const interval = this.#options.checkInterval;
      if (interval > 0 && this.#now() - entry.checkedAt < interval) return entry.skill;
      entry.checking ??= this.#recheck(name, entry);
      return entry.checking;
    }
    assertSkillName(name);
    const loaded = await cache.load(name, {
      signal,
      loader: async () => this.#entry(await this.#load(name)),
    });
    return loaded.skill;
  }

  /** Every loadable skill, by name. Folders that fail to load are left out (see `get`). */
  async list(): Promise<SkillInfo[]> {
    const names = await skillFolderNames(this.root);
    const settled = await Promise.allSettled(names.map((n) => this.get(n)));
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.info] : []));
  }

  stats(): CacheStats | undefined {
    return this.#cache?.stats();
  }

  /** Drops every cached skill: the next call of each loads it from disk. */
  clear(): void {
    this.#cache?.clear();
  }

  /** Drops every cached skill and stops the clock's timer. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    this.clear();
  }

  async #recheck(name: string, entry: Entry): Promise<LoadedSkill> {
    try {
      const signature = await signatureOf(entry.skill.watched);
      if (signature === entry.skill.signature) {
        entry.checkedAt = this.#now();
        return entry.skill;
      }
      const cache = this.#cache!;
      // Only drop the entry if it is still this one: a concurrent reload may have replaced it.
      if (cache.peek(name) === entry) cache.delete(name);
      const loaded = await cache.load(name, { loader: async () => this.#entry(await this.#load(name)) });
      return loaded.skill;
    } finally {
      entry.checking = undefined;
    }
  }

  #entry(skill: LoadedSkill): Entry {
    return { skill, checkedAt: this.#now(), checking: undefined };
  }

  async #load(name: string): Promise<LoadedSkill> {
    const skill = await loadSkill(this.root, name, this.#compiler);
    this.#options.onLoad?.(skill);
    return skill;
  }
}
