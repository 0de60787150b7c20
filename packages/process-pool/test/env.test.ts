import { afterEach, describe, expect, it } from 'vitest';
import { createPool, fixture, tempDir } from './helpers.js';

const env = fixture('env.py');

describe('9. environment', () => {
  afterEach(() => {
    delete process.env.MCP_EXEC_TEST_SECRET;
    delete process.env.MCP_EXEC_ALLOWED_ONE;
  });

  it('hides the parent environment from skills unless allowed', async () => {
    process.env.MCP_EXEC_TEST_SECRET = 'hunter2';
    const pool = createPool();
    expect(
      (await pool.run({ path: env, fn: 'read', params: { name: 'MCP_EXEC_TEST_SECRET' } })).value,
    ).toBeNull();
    expect((await pool.run({ path: env, fn: 'read', params: { name: 'PATH' } })).value).toBe(
      process.env.PATH,
    );
    const names = (await pool.run<string[]>({ path: env, fn: 'names' })).value;
    const allowed = /^(PATH|HOME|LANG|LC_.*|TZ|TMPDIR)$/;
    // Python itself may add a few (LC_CTYPE coercion); nothing else of the parent's leaks.
    expect(names.filter((name) => !allowed.test(name) && name in process.env)).toEqual([]);
  });

  it('passes inheritEnv (with prefixes) and env', async () => {
    process.env.MCP_EXEC_TEST_SECRET = 'hunter2';
    process.env.MCP_EXEC_ALLOWED_ONE = 'one';
    const pool = createPool({ inheritEnv: ['PATH', 'MCP_EXEC_ALLOWED_*'], env: { EXTRA: 'yes' } });
    const read = async (name: string) => (await pool.run({ path: env, fn: 'read', params: { name } })).value;
    expect(await read('MCP_EXEC_ALLOWED_ONE')).toBe('one');
    expect(await read('EXTRA')).toBe('yes');
    expect(await read('MCP_EXEC_TEST_SECRET')).toBeNull();
    expect(await read('HOME')).toBeNull();
  });

  it('runs workers in cwd', async () => {
    const dir = await tempDir();
    const pool = createPool({ cwd: dir });
    const { realpath } = await import('node:fs/promises');
    expect((await pool.run({ path: env, fn: 'cwd' })).value).toBe(await realpath(dir));
  });
});
