import { describe, expect, it } from 'vitest';
import { SerializationError } from '../src/index.js';
import { createPool, fixture } from './helpers.js';

const data = fixture('data.py');

describe('10. data', () => {
  it('round-trips Unicode: emoji, CJK, lone surrogates, line separators, control characters', async () => {
    const pool = createPool();
    const values = [
      '😀👩‍👩‍👧',
      '漢字かな한글',
      '\ud800',
      'a\udfffb',
      'line\u2028sep\u2029',
      '\u0000\n\r\t"\\',
      'é',
    ];
    const results = await Promise.all(
      values.map((value) => pool.run({ path: data, fn: 'echo', params: { value } })),
    );
    expect(results.map((r) => r.value)).toEqual(values);
    const lengths = await pool.run({ path: data, fn: 'length', params: { value: '😀' } });
    expect(lengths.value).toBe(1); // one code point in Python
    expect((await pool.runCode('result = input[::-1]', { input: '漢字😀' })).value).toBe('😀字漢');
  });

  it('carries a 10 MB argument and a 10 MB result', async () => {
    const pool = createPool();
    const big = 'x'.repeat(5 * 1024 * 1024) + 'é'.repeat(2.5 * 1024 * 1024);
    const echoed = await pool.run<string>({ path: data, fn: 'echo', params: { value: big } });
    expect(echoed.value.length).toBe(big.length);
    expect(echoed.value === big).toBe(true);
    const made = await pool.run<string>({
      path: data,
      fn: 'make_string',
      params: { size: 10 * 1024 * 1024, char: '漢' },
    });
    expect(made.value.length).toBe(10 * 1024 * 1024);
    expect(made.value.slice(0, 3)).toBe('漢漢漢');
  });

  it('carries deep nesting both ways, and fails cleanly beyond what JSON codecs accept', async () => {
    const pool = createPool();
    let nested: unknown[] = [];
    for (let i = 0; i < 500; i++) nested = [nested];
    expect((await pool.run({ path: data, fn: 'depth', params: { value: nested } })).value).toBe(500);
    const made = await pool.run<unknown[]>({ path: data, fn: 'nest', params: { depth: 500 } });
    expect(made.value).toEqual(nested);

    // Too deep for Python's decoder: that task fails alone, its batch neighbours do not.
    let deeper: unknown[] = [];
    for (let i = 0; i < 5_000; i++) deeper = [deeper];
    const [tooDeep, fine] = await Promise.allSettled([
      pool.run({ path: data, fn: 'depth', params: { value: deeper } }),
      pool.run({ path: data, fn: 'echo', params: { value: 'neighbour' } }),
    ]);
    expect((tooDeep as PromiseRejectedResult).reason).toBeInstanceOf(SerializationError);
    expect((tooDeep as PromiseRejectedResult).reason).toMatchObject({ direction: 'params' });
    expect(fine).toMatchObject({ status: 'fulfilled', value: { value: 'neighbour' } });

    // Fine for Node, too deep for Python's decoder. The neighbour calls the same function, so it
    // leaves path and fn off the wire: the worker takes them from the task it could not decode.
    let deepForPython: unknown[] = [];
    for (let i = 0; i < 2_000; i++) deepForPython = [deepForPython];
    const [undecodable, same] = await Promise.allSettled([
      pool.run({ path: data, fn: 'depth', params: { value: deepForPython } }),
      pool.run({ path: data, fn: 'depth', params: { value: [[1]] } }),
    ]);
    expect((undecodable as PromiseRejectedResult).reason).toMatchObject({
      name: 'SerializationError',
      direction: 'params',
      message: expect.stringContaining('cannot be decoded by Python'),
    });
    expect(same).toMatchObject({ status: 'fulfilled', value: { value: 2 } });

    // Too deep for Python's encoder on the way back.
    const back = await pool
      .run({ path: data, fn: 'nest', params: { depth: 5_000 } })
      .catch((e: unknown) => e);
    expect(back).toBeInstanceOf(SerializationError);
    expect(back).toMatchObject({ direction: 'result' });
    expect((back as Error).message).toContain('nested too deeply');
    expect((await pool.run({ path: data, fn: 'echo', params: { value: 1 } })).value).toBe(1);
  });

  it('passes JSON types through as JSON does', async () => {
    const pool = createPool();
    const value = {
      int: 1,
      float: 1.5,
      big: 2 ** 53,
      neg: -0.25,
      t: true,
      f: false,
      n: null,
      list: [1, 'a', {}],
    };
    expect((await pool.run({ path: data, fn: 'echo', params: { value } })).value).toEqual(value);
    expect(
      (await pool.run({ path: data, fn: 'echo', params: { value: (2n ** 70n) as never } }).catch((e) => e))
        .code,
    ).toBe('ESERIALIZATION');
    expect((await pool.runCode('result = 10**30')).value).toBe(1e30);
  });
});
