import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MCPCodeExecutionFramework, type MCPCodeExecutionFrameworkOptions } from '../src/index.js';
import { scratchDir, skillMd, writeFiles } from './helpers.js';

/** Skills a, b (records each import in `imports`), c, d and sleeper, in a scratch folder. */
function skills(): { path: string; imports: string; remove: () => void } {
  const dir = scratchDir();
  const imports = join(dir.path, 'b-imports');
  const files: Record<string, string> = {
    'b/SKILL.md': skillMd('name: b\ndescription: Records its import.'),
    'b/index.py': `open(${JSON.stringify(imports)}, "a").write("imported\\n")\n\ndef execute():\n    return "b"\n`,
    'sleeper/SKILL.md': skillMd('name: sleeper\ndescription: Sleeps.'),
    'sleeper/index.py': 'import time\n\ndef execute(ms):\n    time.sleep(ms / 1000)\n    return ms\n',
  };
  for (const name of ['a', 'c', 'd']) {
    files[`${name}/SKILL.md`] = skillMd(`name: ${name}\ndescription: Returns its name.`);
    files[`${name}/index.py`] = `def execute():\n    return "${name}"\n`;
  }
  writeFiles(dir.path, files);
  return { path: dir.path, imports, remove: dir.remove };
}

function framework(dir: string, options: MCPCodeExecutionFrameworkOptions = {}): MCPCodeExecutionFramework {
  return new MCPCodeExecutionFramework({
    skillsDir: dir,
    pool: { minWorkers: 1, maxWorkers: 1 },
    enablePrefetching: true,
    ...options,
  });
}

function lines(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
}

/** A usage file whose window is `calls`, oldest first. */
function usageFile(dir: string, calls: string[]): string {
  const path = join(dir, 'usage.json');
  const skills = [...new Set(calls)];
  writeFileSync(path, JSON.stringify({ version: 1, skills, calls: calls.map((c) => skills.indexOf(c)) }));
  return path;
}

describe('prefetching', () => {
  it('prefetches what usually follows a call, once per load, and counts the prefetches used', async () => {
    const dir = skills();
    const fw = framework(dir.path, { prefetchMinObservations: 2 });
    const prefetched: string[] = [];
    fw.on('prefetched', ({ skill, after }) => prefetched.push(`${skill} after ${after}`));
    try {
      // b followed a twice out of twice: enough observations, above the threshold.
      for (const name of ['a', 'b', 'a', 'b']) await fw.execute(name);
      expect(prefetched).toEqual([]);
      await fw.execute('a');
      await vi.waitFor(() => expect(prefetched).toEqual(['b after a']));
      // a followed b every time too: a is prefetched after b.
      await fw.execute('b');
      await vi.waitFor(() => expect(prefetched).toEqual(['b after a', 'a after b']));
      for (const name of ['a', 'b', 'a', 'b', 'a']) await fw.execute(name);
      // Both are warm for their current content: never prefetched again.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(prefetched).toEqual(['b after a', 'a after b']);
      expect(fw.stats().preloader).toMatchObject({
        prefetched: 2,
        prefetchesUsed: 2,
        prefetchHitRate: 1,
        prefetchFailures: 0,
        usage: { recorded: 11, calls: { a: 6, b: 5 } },
      });
    } finally {
      await fw.close();
      dir.remove();
    }
  });

  it('never makes a real call wait: a prefetch takes no slot and starts only once no call waits', async () => {
    const dir = skills();
    // Learned in an earlier run: b follows a.
    const file = usageFile(dir.path, ['a', 'b', 'a', 'b', 'a', 'b']);
    const fw = framework(dir.path, { usageFile: file, maxConcurrentSkills: 1, usageSaveInterval: 0 });
    const order: string[] = [];
    let executorAtPrefetch: unknown;
    fw.on('prefetched', ({ skill }) => {
      order.push(`prefetched ${skill}`);
      executorAtPrefetch = fw.stats().executor;
    });
    try {
      await fw.start();
      // Loaded, so that both calls below reach the executor in this tick, in this order.
      await fw.getSkill('a');
      await fw.getSkill('sleeper');
      const sleeping = fw.execute('sleeper', { ms: 300 }).then(() => order.push('sleeper'));
      const queued = fw.execute('a').then(() => order.push('a'));
      // The call to a asked for b's prefetch; a waits for the only slot.
      expect(fw.stats().executor).toMatchObject({ running: 1, queued: 1 });
      await Promise.all([sleeping, queued]);
      await vi.waitFor(() => expect(order).toContain('prefetched b'), { timeout: 10_000 });
      expect(order).toEqual(['sleeper', 'a', 'prefetched b']);
      expect(executorAtPrefetch).toMatchObject({ queued: 0, completed: 2 });
      // Imported by the prefetch, never called yet; its first call reuses that import.
      expect(lines(dir.imports)).toBe(1);
      await expect(fw.execute('b')).resolves.toMatchObject({ value: 'b' });
      expect(lines(dir.imports)).toBe(1);
      expect(fw.stats().preloader).toMatchObject({ prefetched: 1, prefetchesUsed: 1 });
    } finally {
      await fw.close();
      dir.remove();
    }
  });

  it('prefetches a changed skill again (new content), and nothing below the threshold', async () => {
    const dir = skills();
    const file = usageFile(dir.path, ['a', 'b', 'a', 'b', 'a', 'b', 'c', 'd', 'c', 'a', 'c', 'b', 'c']);
    // c was followed by d, a and b once each: a third each, below the threshold of 0.5.
    const fw = framework(dir.path, { usageFile: file, skillCheckInterval: 0, usageSaveInterval: 0 });
    const prefetched: string[] = [];
    fw.on('prefetched', ({ skill, after }) => prefetched.push(`${skill} after ${after}`));
    try {
      await fw.execute('c');
      await fw.execute('a');
      await vi.waitFor(() => expect(prefetched).toEqual(['b after a']));
      expect(lines(dir.imports)).toBe(1);

      const entry = join(dir.path, 'b/index.py');
      writeFileSync(entry, readFileSync(entry, 'utf8').replace('return "b"', 'return "b, changed"'));
      // Anything that reads b again notices the change.
      await fw.getSkill('b');
      await fw.execute('a');
      await vi.waitFor(() => expect(prefetched).toEqual(['b after a', 'b after a']));
      expect(lines(dir.imports)).toBe(2);
      await expect(fw.execute('b')).resolves.toMatchObject({ value: 'b, changed' });
      expect(lines(dir.imports)).toBe(2);
    } finally {
      await fw.close();
      dir.remove();
    }
  });
});
