import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isPythonError } from '../src/index.js';
import { createPool, tempDir } from './helpers.js';

describe('11. a module changed on disk is imported again', () => {
  it('serves the new content on the next run, even when the file keeps its size and mtime tick', async () => {
    const dir = await tempDir();
    const skill = `${dir}/versioned.py`;
    const pool = createPool();
    for (let version = 1; version <= 5; version++) {
      // Same length every time: only the content hash can tell the versions apart.
      await writeFile(skill, `def execute():\n    return ${version}\n`);
      expect((await pool.run({ path: skill })).value).toBe(version);
    }
    expect((await pool.run({ path: skill })).value).toBe(5);
  });

  it('re-imports a skill whose helper changed, and recovers from a broken version', async () => {
    const dir = await tempDir();
    await writeFile(`${dir}/helper.py`, 'VALUE = "old"\n');
    await writeFile(`${dir}/index.py`, 'from . import helper\n\ndef execute():\n    return helper.VALUE\n');
    const pool = createPool();
    expect((await pool.run({ path: `${dir}/index.py` })).value).toBe('old');
    await writeFile(`${dir}/helper.py`, 'VALUE = "new"\n');
    await writeFile(
      `${dir}/index.py`,
      'from . import helper\n\ndef execute():\n    return helper.VALUE + "!"\n',
    );
    expect((await pool.run({ path: `${dir}/index.py` })).value).toBe('new!');

    // A helper changed alone is noticed too.
    await writeFile(`${dir}/helper.py`, 'VALUE = "v3"\n');
    expect((await pool.run({ path: `${dir}/index.py` })).value).toBe('v3!');

    await writeFile(`${dir}/index.py`, 'def execute(:\n');
    await expect(pool.run({ path: `${dir}/index.py` })).rejects.toSatisfy(isPythonError);
    await writeFile(`${dir}/index.py`, 'def execute():\n    return "fixed"\n');
    expect((await pool.run({ path: `${dir}/index.py` })).value).toBe('fixed');
  });

  it('keeps module state between calls while the file does not change', async () => {
    const dir = await tempDir();
    const skill = `${dir}/counter.py`;
    await writeFile(
      skill,
      'count = 0\n\ndef execute():\n    global count\n    count += 1\n    return count\n',
    );
    const pool = createPool();
    const values = [];
    for (let i = 0; i < 3; i++) values.push((await pool.run({ path: skill })).value);
    expect(values).toEqual([1, 2, 3]);
  });
});
