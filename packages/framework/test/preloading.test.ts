import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  isWorkerCrashedError,
  MCPCodeExecutionFramework,
  type MCPCodeExecutionFrameworkOptions,
} from '../src/index.js';
import { EXAMPLE_SKILLS, scratchDir, skillMd, writeFiles } from './helpers.js';

const POOL = { minWorkers: 1, maxWorkers: 1 } as const;

function framework(options: MCPCodeExecutionFrameworkOptions = {}): MCPCodeExecutionFramework {
  return new MCPCodeExecutionFramework({ skillsDir: EXAMPLE_SKILLS, pool: POOL, ...options });
}

/** Collects process warnings of ours (`MCPExecWarning`) until `stop()`. */
function captureWarnings(): { messages: string[]; stop: () => void } {
  const messages: string[] = [];
  const listener = (w: Error & { code?: string }) => {
    if (w.name === 'MCPExecWarning') messages.push(`${w.code}: ${w.message}`);
  };
  process.on('warning', listener);
  return { messages, stop: () => process.off('warning', listener) };
}

function lines(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
}

describe('preloading', () => {
  it('imports preloadList in every worker, including one started after a crash', async () => {
    const dir = scratchDir();
    const marker = join(dir.path, 'imported');
    writeFiles(dir.path, {
      'warm/SKILL.md': skillMd('name: warm\ndescription: Records its import.'),
      'warm/index.py': `open(${JSON.stringify(marker)}, "a").write("imported\\n")\n\ndef execute():\n    return 1\n`,
      'crash/SKILL.md': skillMd('name: crash\ndescription: Kills its worker.'),
      'crash/index.py': 'import os\n\ndef execute():\n    os._exit(3)\n',
      'other/SKILL.md': skillMd('name: other\ndescription: Anything else.'),
      'other/index.py': 'def execute():\n    return "other"\n',
    });
    const fw = framework({
      skillsDir: dir.path,
      enablePreloading: true,
      preloadList: ['warm'],
      retry: false,
    });
    const preloaded: (readonly string[])[] = [];
    fw.on('preloaded', ({ skills }) => preloaded.push(skills));
    try {
      await fw.start();
      expect(lines(marker)).toBe(1);
      expect(preloaded).toEqual([['warm']]);
      expect(fw.stats().preloader.preloaded).toEqual(['warm']);

      expect(isWorkerCrashedError(await fw.execute('crash').catch((e: unknown) => e))).toBe(true);
      // The replacement worker imports 'warm' before it runs anything, though nobody called it.
      await expect(fw.execute('other')).resolves.toMatchObject({ value: 'other' });
      expect(fw.stats().pool.crashes).toBe(1);
      expect(lines(marker)).toBe(2);
    } finally {
      await fw.close();
      dir.remove();
    }
  });
});

describe('usage file', () => {
  it('round trip: counts survive a restart, and the most used skills are preloaded', async () => {
    const dir = scratchDir();
    const usageFile = join(dir.path, 'usage.json');
    const warnings = captureWarnings();
    const first = framework({ usageFile, usageSaveInterval: 0 });
    try {
      for (let i = 0; i < 3; i++) await first.execute('hello', { name: `n${i}` });
      await first.execute('heavy-task-skill', { n: 1 });
      expect(first.stats().preloader.usage).toEqual({
        windowSize: 1_000,
        recorded: 4,
        calls: { hello: 3, 'heavy-task-skill': 1 },
      });
    } finally {
      await first.close();
    }
    expect(JSON.parse(readFileSync(usageFile, 'utf8'))).toEqual({
      version: 1,
      skills: ['hello', 'heavy-task-skill'],
      calls: [0, 0, 0, 1],
    });
    // The missing file of the first start was reported.
    await vi.waitFor(() => expect(warnings.messages.join('\n')).toContain('does not exist yet'));

    const second = framework({ usageFile, enablePreloading: true, preloadTopN: 1 });
    const preloaded: (readonly string[])[] = [];
    second.on('preloaded', ({ skills }) => preloaded.push(skills));
    try {
      await second.start();
      expect(preloaded).toEqual([['hello']]);
      expect(second.stats().cache).toMatchObject({ size: 1, loads: 1 });
      expect(second.stats().preloader.usage?.calls).toEqual({ hello: 3, 'heavy-task-skill': 1 });
    } finally {
      await second.close();
      warnings.stop();
      dir.remove();
    }
  });

  it.each([
    ['not JSON', '{"version": 1, "skills": ['],
    ['a name that is a path', '{"version": 1, "skills": ["../etc"], "calls": [0]}'],
    ['an index out of range', '{"version": 1, "skills": ["hello"], "calls": [1]}'],
    ['another version', '{"version": 2, "skills": [], "calls": []}'],
  ])('a corrupt file (%s) is a warning, and is replaced on close', async (_what, content) => {
    const dir = scratchDir();
    const usageFile = join(dir.path, 'usage.json');
    writeFileSync(usageFile, content);
    const warnings = captureWarnings();
    const fw = framework({ usageFile, enablePreloading: true });
    try {
      await fw.start();
      await expect(fw.execute('hello')).resolves.toMatchObject({ value: { greeting: 'Hello, world!' } });
      await vi.waitFor(() =>
        expect(warnings.messages.join('\n')).toContain(`MCP_EXEC_USAGE: usageFile "${usageFile}" is corrupt`),
      );
    } finally {
      await fw.close();
      warnings.stop();
    }
    expect(JSON.parse(readFileSync(usageFile, 'utf8'))).toEqual({
      version: 1,
      skills: ['hello'],
      calls: [0],
    });
    dir.remove();
  });

  it('a file that cannot be read or written is a warning, never a failure', async () => {
    const dir = scratchDir();
    const warnings = captureWarnings();
    // A folder where the file should be: reading fails (EISDIR), and so does the rename.
    const usageFile = dir.path;
    const fw = framework({ usageFile, usageSaveInterval: 0 });
    try {
      await fw.start();
      await expect(fw.execute('hello')).resolves.toMatchObject({ cached: false });
    } finally {
      await expect(fw.close()).resolves.toBeUndefined();
    }
    try {
      await vi.waitFor(() => {
        const all = warnings.messages.join('\n');
        expect(all).toContain('could not be read');
        expect(all).toContain('could not be written');
      });
    } finally {
      warnings.stop();
      dir.remove();
    }
  });

  it('saves usageSaveInterval ms after a change, without waiting for close', async () => {
    const dir = scratchDir();
    const usageFile = join(dir.path, 'usage.json');
    const warnings = captureWarnings();
    const fw = framework({ usageFile, usageSaveInterval: 20 });
    try {
      await fw.execute('hello');
      await vi.waitFor(() => expect(existsSync(usageFile)).toBe(true), { timeout: 5_000 });
      expect(JSON.parse(readFileSync(usageFile, 'utf8'))).toMatchObject({ calls: [0] });
    } finally {
      await fw.close();
      warnings.stop();
      dir.remove();
    }
  });

  it.each([
    [{ usageFile: '' }, 'usageFile must be a non-empty path, got ""'],
    [{ usageWindow: 1 }, 'usageWindow must be an integer between 2 and 10000000, got 1'],
    [{ preloadTopN: -1 }, 'preloadTopN must be an integer >= 0, got -1'],
    [{ usageSaveInterval: 0.5 }, 'usageSaveInterval must be an integer between 0 and 2147483647, got 0.5'],
    [{ prefetchThreshold: 0 }, 'prefetchThreshold must be a number above 0 and at most 1, got 0'],
    [{ prefetchThreshold: 1.5 }, 'prefetchThreshold must be a number above 0 and at most 1, got 1.5'],
    [{ prefetchMinObservations: 0 }, 'prefetchMinObservations must be an integer >= 1, got 0'],
  ])('refuses %j with a TypeError', (options, message) => {
    expect(() => new MCPCodeExecutionFramework(options)).toThrow(new TypeError(message));
  });
});
