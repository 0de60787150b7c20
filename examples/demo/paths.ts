import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `examples/skills`, found from this file whether it runs from source or compiled into `.build/`. */
export const skillsDir = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'examples', 'skills'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('demo: cannot find examples/skills');
    dir = parent;
  }
  return join(dir, 'examples', 'skills');
})();
