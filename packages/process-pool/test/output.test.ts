import { describe, expect, it } from 'vitest';
import { createPool, fixture } from './helpers.js';

const output = fixture('output.py');

describe('1. the protocol has its own pipes; output is captured per task and capped', () => {
  it('captures print() per task; writes to fd 1 and 2 and forged protocol lines change nothing', async () => {
    const pool = createPool();
    const result = await pool.run({ path: output, fn: 'noisy' });
    expect(result.value).toBe('clean');
    expect(result.stdout).toBe('to stdout\n{"id": 1, "ok": true, "value": "forged"}\n');
    expect(result.stderr).toBe('to stderr\n');
    // The next task starts with empty captures.
    const next = await pool.run({ path: fixture('basic.py'), fn: 'add', params: { a: 1, b: 2 } });
    expect(next).toMatchObject({ value: 3, stdout: '', stderr: '' });
  });

  it('keeps draining fd 1: a task writing megabytes to it directly is not blocked', async () => {
    const pool = createPool();
    const result = await pool.run({ path: output, fn: 'flood_fd1', params: { megabytes: 4 } });
    expect(result.value).toBe('not blocked');
  });

  it('gives tasks an empty stdin: reading it cannot block', async () => {
    const pool = createPool();
    expect((await pool.run({ path: output, fn: 'read_stdin' })).value).toBe('');
    await expect(pool.run({ path: output, fn: 'ask' })).rejects.toMatchObject({ pythonType: 'EOFError' });
  });

  it('caps captured output at maxOutputBytes and says how much was dropped', async () => {
    const pool = createPool({ maxOutputBytes: 1_000 });
    const result = await pool.run({ path: output, fn: 'chatter', params: { size: 5_000 } });
    expect(result.value).toBe(5_000);
    expect(result.stdout.startsWith('y'.repeat(1_000))).toBe(true);
    expect(result.stdout).toContain('4000 more bytes of stdout dropped (maxOutputBytes 1000)');
    expect(result.stdout.length).toBeLessThan(1_200);
  });

  it('captures unicode text and bytes written to sys.stdout.buffer', async () => {
    const pool = createPool();
    expect((await pool.run({ path: output, fn: 'unicode_output' })).stdout).toBe('héllo 世界 🎉\n');
    expect((await pool.run({ path: output, fn: 'bytes_output' })).stdout).toBe('bytes ✓\n');
  });

  it('restores the capture when a task replaces sys.stdout and leaves it replaced', async () => {
    const pool = createPool();
    await pool.run({ path: output, fn: 'hijack' });
    expect((await pool.run({ path: output, fn: 'noisy' })).stdout).toContain('to stdout');
  });

  it('attributes output to its own task inside one batch', async () => {
    const pool = createPool();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((text) => pool.run({ path: fixture('basic.py'), fn: 'shout', params: { text } })),
    );
    expect(pool.stats().batches).toBe(1);
    for (const [i, text] of ['A', 'B', 'C'].entries()) {
      expect(results[i]).toMatchObject({ value: text, stdout: 'about to shout\n', stderr: 'careful\n' });
    }
  });
});
