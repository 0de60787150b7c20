import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isSkillNotFoundError } from '../src/errors.js';
import type { LoadedSkill } from '../src/skills/skill-loader.js';
import { SkillRegistry, type SkillRegistryOptions } from '../src/skills/skill-registry.js';
import { copyOfExamples } from './helpers.js';

describe('SkillRegistry', () => {
  let skills: ReturnType<typeof copyOfExamples>;
  let now: number;
  let loads: string[];

  const registry = async (options: Partial<SkillRegistryOptions> = {}) => {
    const r = new SkillRegistry({
      skillsDir: skills.path,
      cache: true,
      maxSize: 50,
      ttl: 0,
      checkInterval: 1_000,
      now: () => now,
      onLoad: (skill: LoadedSkill) => loads.push(skill.info.name),
      ...options,
    });
    await r.open();
    return r;
  };

  beforeEach(() => {
    skills = copyOfExamples();
    now = 1;
    loads = [];
  });
  afterEach(() => skills.remove());

  it('refuses a skillsDir that does not exist', async () => {
    const r = new SkillRegistry({
      skillsDir: join(skills.path, 'nope'),
      cache: true,
      maxSize: 1,
      ttl: 0,
      checkInterval: 0,
    });
    await expect(r.open()).rejects.toThrow(/^skillsDir must be an existing folder, got ".*nope"$/);
    const file = new SkillRegistry({
      skillsDir: join(skills.path, 'hello', 'index.py'),
      cache: true,
      maxSize: 1,
      ttl: 0,
      checkInterval: 0,
    });
    await expect(file.open()).rejects.toThrow(TypeError);
  });

  it('serves a loaded skill from the cache without I/O until the change check is due', async () => {
    const r = await registry();
    expect(r.peek('hello')).toBeUndefined();
    const first = await r.get('hello');
    expect(r.peek('hello')).toBe(first);
    now += 999;
    expect(r.peek('hello')).toBe(first);
    now += 1;
    expect(r.peek('hello')).toBeUndefined();
    // Due: one stat round finds nothing changed, and the clock restarts.
    expect(await r.get('hello')).toBe(first);
    expect(r.peek('hello')).toBe(first);
    expect(loads).toEqual(['hello']);
  });

  it('loads a skill once for concurrent callers', async () => {
    const r = await registry();
    const all = await Promise.all(Array.from({ length: 20 }, () => r.get('hello')));
    expect(new Set(all).size).toBe(1);
    expect(loads).toEqual(['hello']);
  });

  it('reloads a skill whose files changed, once the check is due', async () => {
    const r = await registry();
    const first = await r.get('hello');
    writeFileSync(
      join(skills.path, 'hello', 'index.py'),
      'def execute(name="you"):\n    return {"hi": name}\n',
    );
    expect(await r.get('hello')).toBe(first);
    now += 1_000;
    const second = await r.get('hello');
    expect(second).not.toBe(first);
    expect(second.info.hash).not.toBe(first.info.hash);
    expect(loads).toEqual(['hello', 'hello']);
    expect(r.peek('hello')).toBe(second);
  });

  it('notices a new manifest field', async () => {
    const r = await registry();
    expect((await r.get('slow')).info.cacheable).toBe(false);
    const manifest = join(skills.path, 'slow', 'SKILL.md');
    writeFileSync(manifest, '---\nname: slow\ndescription: now pure\ncacheable: true\n---\n');
    now += 1_000;
    expect((await r.get('slow')).info).toMatchObject({ cacheable: true, description: 'now pure' });
  });

  it('reports a skill deleted after it was loaded as not found', async () => {
    const r = await registry();
    await r.get('hello');
    rmSync(join(skills.path, 'hello'), { recursive: true });
    now += 1_000;
    const error = await r.get('hello').catch((e: unknown) => e);
    expect(isSkillNotFoundError(error)).toBe(true);
    expect(r.peek('hello')).toBeUndefined();
  });

  it('checks on every call with checkInterval 0', async () => {
    const r = await registry({ checkInterval: 0 });
    const first = await r.get('hello');
    expect(r.peek('hello')).toBeUndefined();
    writeFileSync(join(skills.path, 'hello', 'index.py'), 'def execute():\n    return 2\n');
    expect((await r.get('hello')).info.hash).not.toBe(first.info.hash);
  });

  it('reads the files on every call with cache: false', async () => {
    const r = await registry({ cache: false });
    const first = await r.get('hello');
    const second = await r.get('hello');
    expect(second).not.toBe(first);
    expect(second.info).toEqual(first.info);
    expect(r.peek('hello')).toBeUndefined();
    expect(r.stats()).toBeUndefined();
    expect(loads).toEqual(['hello', 'hello']);
  });

  it('expires skills after the TTL and evicts beyond maxSize', async () => {
    const r = await registry({ ttl: 5_000, maxSize: 2, checkInterval: 60_000 });
    await r.get('hello');
    now += 5_001;
    expect(r.peek('hello')).toBeUndefined();
    await r.get('hello');
    await r.get('slow');
    await r.get('printer');
    expect(r.stats()).toMatchObject({ size: 2, maxSize: 2, evictions: 1, expirations: 1 });
    expect(loads).toEqual(['hello', 'hello', 'slow', 'printer']);
  });

  it('with its own clock: notices a change within the interval, and close() stops its timer', async () => {
    // Only the interval is faked: the clock it samples (performance.now) stays real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const r = new SkillRegistry({
        skillsDir: skills.path,
        cache: true,
        maxSize: 50,
        ttl: 0,
        checkInterval: 40,
      });
      await r.open();
      expect(vi.getTimerCount()).toBe(1);
      const first = await r.get('hello');
      writeFileSync(join(skills.path, 'hello', 'index.py'), 'def execute():\n    return "changed"\n');
      await new Promise((resolve) => setTimeout(resolve, 60));
      // No tick yet: the coarse clock has not moved, the check is not due.
      expect(r.peek('hello')).toBe(first);
      vi.advanceTimersByTime(10);
      expect(r.peek('hello')).toBeUndefined();
      expect((await r.get('hello')).info.hash).not.toBe(first.info.hash);
      r.close();
      expect(vi.getTimerCount()).toBe(0);
      expect(r.peek('hello')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists the loadable skills by name and leaves broken ones out', async () => {
    const r = await registry();
    const names = (await r.list()).map((s) => s.name);
    expect(names).toEqual([
      'async-fetch-like',
      'flaky',
      'heavy-task-skill',
      'hello',
      'printer',
      'pure-sum',
      'slow',
    ]);
  });
});
