import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, found from this file whether it runs from source or compiled into
 * `.build/` (the bench runs compiled: a TypeScript loader would transform the packages' built
 * code as well, and its helpers inflate every per-call figure).
 */
export const repoRoot = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the repository root (pnpm-workspace.yaml)');
    dir = parent;
  }
  return dir;
})();

export const skillsDir = join(repoRoot, 'examples', 'skills');
