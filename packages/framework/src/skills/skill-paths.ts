import type { Dirent } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { InvalidSkillError } from '../errors.js';
import { SKILL_NAME_PATTERN } from './skill-name.js';

/** True when `path` is `root` itself or lies below it (both already resolved). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves symlinks in `path` and refuses a result outside `root`: a symlink must not let a
 * skill read or run a file outside `skillsDir`. Returns `undefined` when the path does not exist.
 */
export async function resolveInside(
  root: string,
  path: string,
  skill: string,
  file: string,
  field?: string,
): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new InvalidSkillError(skill, `cannot be read: ${(error as Error).message}`, file, field, {
      cause: error,
    });
  }
  if (!isInside(root, real)) {
    throw new InvalidSkillError(skill, `resolves to "${real}", outside skillsDir "${root}"`, file, field);
  }
  return real;
}

/** Names of the folders in `root` that could be skills (failure paths and `listSkills` only). */
export async function skillFolderNames(root: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && SKILL_NAME_PATTERN.test(e.name))
    .map((e) => e.name)
    .sort();
}
