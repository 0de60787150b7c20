import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { MCPCodeExecutionFramework, type MCPCodeExecutionFrameworkOptions } from '../src/index.js';

/** The example skills shipped in the repository. */
export const EXAMPLE_SKILLS = fileURLToPath(new URL('../../../examples/skills', import.meta.url));

/** A scratch folder, removed by the returned `remove`. */
export function scratchDir(prefix = 'mcp-exec-fw-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes `files` (relative path -> content) under `root`. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    const path = join(root, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/** A scratch copy of the example skills, for tests that change files. */
export function copyOfExamples(): { path: string; remove: () => void } {
  const dir = scratchDir();
  const skills = join(dir.path, 'skills');
  cpSync(EXAMPLE_SKILLS, skills, { recursive: true, filter: (src) => !src.includes('__pycache__') });
  return { path: skills, remove: dir.remove };
}

/** A SKILL.md with the given front matter lines. */
export function skillMd(frontMatter: string, body = ''): string {
  return `---\n${frontMatter.trim()}\n---\n${body}`;
}

/** A small pool: one worker at start, two at most. */
export const POOL = { minWorkers: 1, maxWorkers: 2 } as const;

/** The example skills on a small pool. */
export function framework(options: MCPCodeExecutionFrameworkOptions = {}): MCPCodeExecutionFramework {
  return new MCPCodeExecutionFramework({ skillsDir: EXAMPLE_SKILLS, pool: POOL, ...options });
}

/** The rejection of `promise`; a test failure if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.unreachable(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}
