import { describe, expect, it } from 'vitest';
import {
  AcquireTimeoutError,
  isAcquireTimeoutError,
  isMemoryLimitError,
  isMessageTooLargeError,
  isPoolClosedError,
  isPythonError,
  isSerializationError,
  isTaskTimeoutError,
  isWorkerCrashedError,
  isWorkerStartError,
  MemoryLimitError,
  MessageTooLargeError,
  PoolClosedError,
  PythonError,
  SerializationError,
  TaskTimeoutError,
  WorkerCrashedError,
  WorkerStartError,
} from '../src/index.js';
import { createPool, fixture } from './helpers.js';

const errors = fixture('errors.py');

describe('3. typed errors', () => {
  it('PythonError carries the Python type, message, traceback and the output so far', async () => {
    const pool = createPool();
    const error = (await pool.run({ path: errors, fn: 'raise_value_error' }).catch((e) => e)) as PythonError;
    expect(error).toBeInstanceOf(PythonError);
    expect(error).toMatchObject({ code: 'EPYTHON', pythonType: 'ValueError', pythonMessage: 'bad value' });
    expect(error.message).toBe('ValueError: bad value');
    expect(error.traceback).toContain('errors.py", line');
    expect(error.traceback).toContain('raise ValueError("bad value")');
    expect(error.traceback).not.toContain('worker.py');
    expect(error).toMatchObject({ stdout: '', stderr: '', workerId: 1 });

    const custom = (await pool.run({ path: errors, fn: 'raise_custom' }).catch((e) => e)) as PythonError;
    expect(custom.pythonType).toMatch(/Oops$/);
    expect(custom.traceback).toContain('KeyError');
    expect(custom.traceback).toContain('The above exception was the direct cause');

    const args = (await pool.run({ path: errors, fn: 'needs_args' }).catch((e) => e)) as PythonError;
    expect(args.pythonType).toBe('TypeError');
    const missing = (await pool.run({ path: errors, fn: 'nothing_here' }).catch((e) => e)) as PythonError;
    expect(missing).toMatchObject({ pythonType: 'AttributeError' });
    expect(missing.message).toContain("defines no function 'nothing_here'");
    // Calls in one batch that follow a call of the same function look for it themselves if that
    // call could not find it: they fail the same way, never calling the function found before.
    const batchesBefore = pool.stats().batches;
    const batch = await Promise.allSettled([
      pool.run({ path: fixture('basic.py'), fn: 'add', params: { a: 1, b: 2 } }),
      pool.run({ path: fixture('basic.py'), fn: 'add', params: { a: 3, b: 4 } }),
      pool.run({ path: errors, fn: 'nothing_here' }),
      pool.run({ path: errors, fn: 'nothing_here' }),
      pool.run({ path: errors, fn: 'nothing_here' }),
    ]);
    expect(
      batch.map((o) => (o.status === 'fulfilled' ? o.value.value : (o.reason as PythonError).pythonType)),
    ).toEqual([3, 7, 'AttributeError', 'AttributeError', 'AttributeError']);
    expect(pool.stats().batches).toBe(batchesBefore + 1);
    const notCallable = (await pool
      .run({ path: errors, fn: 'not_a_function' })
      .catch((e) => e)) as PythonError;
    expect(notCallable.message).toBe("TypeError: 'int' object is not callable");
    const nofile = (await pool.run({ path: '/nonexistent/skill.py' }).catch((e) => e)) as PythonError;
    expect(nofile).toMatchObject({ pythonType: 'FileNotFoundError' });
    const broken = (await pool.run({ path: fixture('broken_import.py') }).catch((e) => e)) as PythonError;
    expect(broken).toMatchObject({
      pythonType: 'RuntimeError',
      pythonMessage: 'this module fails at import',
    });
  });

  it('SystemExit and KeyboardInterrupt fail the task, not the worker', async () => {
    const pool = createPool();
    const first = await pool.run<number>({ path: fixture('basic.py'), fn: 'pid' });
    await expect(pool.run({ path: errors, fn: 'system_exit', params: { code: 4 } })).rejects.toMatchObject({
      pythonType: 'SystemExit',
      pythonMessage: '4',
    });
    await expect(pool.run({ path: errors, fn: 'keyboard_interrupt' })).rejects.toMatchObject({
      pythonType: 'KeyboardInterrupt',
    });
    const after = await pool.run<number>({ path: fixture('basic.py'), fn: 'pid' });
    expect(after.value).toBe(first.value);
    expect(pool.stats().crashes).toBe(0);
  });

  it('SerializationError names the type and where it sits, NaN and Infinity included', async () => {
    const pool = createPool();
    const cases = [
      ['return_set', 'set', "value['rows'][2]"],
      ['return_nan', 'float', "value['score']"],
      ['return_infinity', 'float', 'value[1]'],
      ['return_object', 'object', "value['when']"],
      ['return_tuple_key', 'tuple', 'value[(1, 2)]'],
    ] as const;
    for (const [fn, typeName, path] of cases) {
      const error = (await pool.run({ path: errors, fn }).catch((e) => e)) as SerializationError;
      expect(error).toBeInstanceOf(SerializationError);
      expect(error).toMatchObject({ code: 'ESERIALIZATION', direction: 'result', typeName, path });
      expect(error.message).toContain(typeName);
    }
    const input = (await pool
      .run({ path: errors, fn: 'needs_args', params: { a: 1n } })
      .catch((e) => e)) as SerializationError;
    expect(input).toMatchObject({ direction: 'params', typeName: 'bigint', path: 'params.a' });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await expect(pool.run({ path: errors, fn: 'needs_args', params: { a: cycle } })).rejects.toMatchObject({
      code: 'ESERIALIZATION',
      typeName: 'circular reference',
      path: 'params.a.self',
    });
    expect((await pool.run({ path: fixture('basic.py'), fn: 'add', params: { a: 1, b: 2 } })).value).toBe(3);
  });

  it('MessageTooLargeError for a request or a result over maxMessageBytes; other tasks go on', async () => {
    const pool = createPool({ maxMessageBytes: 64 * 1024 });
    const big = 'x'.repeat(100 * 1024);
    const [request, fine] = await Promise.allSettled([
      pool.run({ path: fixture('data.py'), fn: 'echo', params: { value: big } }),
      pool.run({ path: fixture('data.py'), fn: 'echo', params: { value: 'small' } }),
    ]);
    expect((request as PromiseRejectedResult).reason).toBeInstanceOf(MessageTooLargeError);
    expect((request as PromiseRejectedResult).reason).toMatchObject({ direction: 'request', limit: 65_536 });
    expect(fine).toMatchObject({ status: 'fulfilled', value: { value: 'small' } });
    const result = pool.run({ path: fixture('data.py'), fn: 'make_string', params: { size: 100 * 1024 } });
    await expect(result).rejects.toMatchObject({ code: 'EMESSAGETOOLARGE', direction: 'result' });
    expect(pool.stats().crashes).toBe(0);
  });

  it('every guard recognises its error, also from another copy of the package, and nothing else', () => {
    const exit = { workerId: 1, pid: 2, exitCode: null, signal: 'SIGKILL', stderrTail: '' };
    const samples = [
      [new PythonError('ValueError', 'x', ''), isPythonError, 'EPYTHON'],
      [new TaskTimeoutError(10, false), isTaskTimeoutError, 'ETASKTIMEOUT'],
      [new WorkerCrashedError(exit, true), isWorkerCrashedError, 'EWORKERCRASHED'],
      [
        new SerializationError('x', { direction: 'result', typeName: 'set', path: 'value' }),
        isSerializationError,
        'ESERIALIZATION',
      ],
      [new PoolClosedError(), isPoolClosedError, 'EPOOLCLOSED'],
      [new AcquireTimeoutError(10), isAcquireTimeoutError, 'EACQUIRETIMEOUT'],
      [new WorkerStartError('python3', 'x'), isWorkerStartError, 'EWORKERSTART'],
      [new MemoryLimitError(64, ''), isMemoryLimitError, 'EMEMORYLIMIT'],
      [new MessageTooLargeError('result', 2, 1), isMessageTooLargeError, 'EMESSAGETOOLARGE'],
    ] as const;
    for (const [error, guard, code] of samples) {
      expect(error.code).toBe(code);
      expect(guard(error)).toBe(true);
      expect(guard(new Error(error.message))).toBe(false);
      expect(guard({ code })).toBe(false);
      expect(guard(undefined)).toBe(false);
      // Another installed copy: a different class, the same global brand.
      const brand = Object.getOwnPropertySymbols(error)[0]!;
      expect(Symbol.keyFor(brand)).toMatch(/^@mcp-exec\/process-pool:/);
      const foreign = Object.defineProperty(new Error('foreign'), brand, { value: true });
      expect(guard(foreign)).toBe(true);
      for (const [other, otherGuard] of samples) if (other !== error) expect(otherGuard(error)).toBe(false);
    }
    const cause = new WorkerStartError('python3', 'not found');
    expect(new AcquireTimeoutError(10, cause).cause).toBe(cause);
  });
});
