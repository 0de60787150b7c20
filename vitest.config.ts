import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const packages = readdirSync(new URL('packages', import.meta.url));

// Tests import each other's packages from source, so `npm test` needs no build step.
const alias = Object.fromEntries(
  packages.map((name) => [`@mcp-exec/${name}`, `${root}packages/${name}/src/index.ts`]),
);

export default defineConfig({
  resolve: { alias },
  test: {
    globalSetup: ['./test/global-setup.ts'],
    projects: packages.map((name) => ({
      extends: true,
      test: {
        name,
        include: [`packages/${name}/test/**/*.test.ts`],
        typecheck: { enabled: true, include: [`packages/${name}/test/**/*.test-d.ts`] },
      },
    })),
  },
});
