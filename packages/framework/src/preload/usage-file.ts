import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isSkillName } from '../skills/skill-name.js';

/**
 * The usage file: the window of recent calls, oldest first, as indexes into `skills`. Keeping the
 * sequence (not only the counts) lets the next start rebuild counts and transitions exactly.
 */
export interface UsageFileContent {
  readonly version: 1;
  readonly skills: readonly string[];
  readonly calls: readonly number[];
}

/** Why the file could not be used; the caller turns it into a warning. */
export class UsageFileProblem {
  constructor(
    readonly message: string,
    readonly cause: unknown,
  ) {}
}

/** The recorded window, oldest call first, or a problem (missing, unreadable or corrupt file). */
export async function readUsageFile(path: string): Promise<string[] | UsageFileProblem> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return new UsageFileProblem(
      missing
        ? `usageFile "${path}" does not exist yet; starting without usage history`
        : `usageFile "${path}" could not be read; starting without usage history`,
      error,
    );
  }
  try {
    return decode(JSON.parse(text));
  } catch (error) {
    return new UsageFileProblem(`usageFile "${path}" is corrupt; starting without usage history`, error);
  }
}

function decode(data: unknown): string[] {
  const d = data as Partial<UsageFileContent> | null;
  if (typeof d !== 'object' || d === null || d.version !== 1)
    throw new Error('expected { "version": 1, ... }');
  const { skills, calls } = d;
  if (!Array.isArray(skills) || !skills.every(isSkillName)) {
    throw new Error('"skills" must be an array of skill names');
  }
  if (!Array.isArray(calls) || !calls.every((i) => Number.isInteger(i) && i >= 0 && i < skills.length)) {
    throw new Error('"calls" must be an array of indexes into "skills"');
  }
  return calls.map((i: number) => skills[i]!);
}

/** Encodes a window of calls, oldest first. */
export function encodeUsage(window: readonly string[]): string {
  const index = new Map<string, number>();
  const calls = window.map((name) => {
    let i = index.get(name);
    if (i === undefined) {
      i = index.size;
      index.set(name, i);
    }
    return i;
  });
  const content: UsageFileContent = { version: 1, skills: [...index.keys()], calls };
  return `${JSON.stringify(content)}\n`;
}

/**
 * Writes atomically: a temp file next to the target, then a rename, so a reader (or a crash
 * mid-write) never sees half a file.
 */
export async function writeUsageFile(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
