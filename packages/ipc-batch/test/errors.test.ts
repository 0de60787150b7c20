import {
  BatcherClosedError,
  BatchFlushError,
  FrameError,
  FrameTooLargeError,
  isBatcherClosedError,
  isBatchFlushError,
  isFrameError,
  isFrameTooLargeError,
  isQueueFullError,
  QueueFullError,
} from '@mcp-exec/ipc-batch';
import { describe, expect, it, vi } from 'vitest';

type Module = typeof import('@mcp-exec/ipc-batch');

/** A second, separately evaluated copy of the package, as when two versions are installed. */
async function secondCopy(): Promise<Module> {
  vi.resetModules();
  return (await import('@mcp-exec/ipc-batch')) as Module;
}

describe('errors', () => {
  it('carry a stable code, a name, their details and their cause', () => {
    const cause = new Error('pipe closed');
    expect(new QueueFullError(8)).toMatchObject({
      name: 'QueueFullError',
      code: 'EQUEUEFULL',
      maxPending: 8,
    });
    expect(new BatcherClosedError()).toMatchObject({ name: 'BatcherClosedError', code: 'EBATCHERCLOSED' });
    expect(new BatchFlushError(3, cause)).toMatchObject({
      name: 'BatchFlushError',
      code: 'EBATCHFLUSH',
      batchSize: 3,
      cause,
      message: 'The flush of a batch of 3 item(s) failed: pipe closed',
    });
    const tooLarge = new FrameTooLargeError(4, 100, 10, 'abc');
    expect(tooLarge).toBeInstanceOf(FrameError);
    expect(tooLarge).toMatchObject({ name: 'FrameTooLargeError', code: 'EFRAMETOOLARGE', size: 100 });
    expect(new FrameError('bad', 2, 'x')).toMatchObject({
      name: 'FrameError',
      code: 'EFRAME',
      lineNumber: 2,
    });
  });

  it('keep their brand out of enumeration and serialisation', () => {
    const error = new QueueFullError(1);
    expect(Object.getOwnPropertySymbols(error)).toHaveLength(1);
    expect(Object.keys(error)).not.toContain(Symbol.for('@mcp-exec/ipc-batch:QueueFullError'));
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'EQUEUEFULL',
      name: 'QueueFullError',
      maxPending: 1,
    });
  });

  it('guard only their own kind', () => {
    const errors = [
      new QueueFullError(1),
      new BatcherClosedError(),
      new BatchFlushError(1, null),
      new FrameError('bad', 1, ''),
      new FrameTooLargeError(1, 2, 1, ''),
    ];
    const guards = [
      isQueueFullError,
      isBatcherClosedError,
      isBatchFlushError,
      isFrameError,
      isFrameTooLargeError,
    ];
    expect(guards.map((guard) => errors.map((e) => guard(e)))).toEqual([
      [true, false, false, false, false],
      [false, true, false, false, false],
      [false, false, true, false, false],
      [false, false, false, true, true],
      [false, false, false, false, true],
    ]);
    for (const guard of guards) {
      for (const value of [null, undefined, 'EQUEUEFULL', { code: 'EQUEUEFULL' }, new Error('x')]) {
        expect(guard(value)).toBe(false);
      }
    }
  });

  it('are recognised across two copies of the package, where instanceof fails', async () => {
    const other = await secondCopy();
    expect(other.QueueFullError).not.toBe(QueueFullError);
    const foreign = [
      new other.QueueFullError(1),
      new other.BatcherClosedError(),
      new other.BatchFlushError(1, null),
      new other.FrameTooLargeError(1, 2, 1, ''),
    ];
    expect(foreign[0]).not.toBeInstanceOf(QueueFullError);
    expect(isQueueFullError(foreign[0])).toBe(true);
    expect(isBatcherClosedError(foreign[1])).toBe(true);
    expect(isBatchFlushError(foreign[2])).toBe(true);
    expect(isFrameError(foreign[3])).toBe(true);
    expect(isFrameTooLargeError(foreign[3])).toBe(true);
  });

  it('builds QueueFullError without a stack trace on the hot path, and restores the limit', async () => {
    const { Batcher } = await import('@mcp-exec/ipc-batch');
    const batcher = new Batcher<number, number>(async (items) => items, { maxPending: 1 });
    const limit = Error.stackTraceLimit;
    const first = batcher.add(1);
    const error = await batcher.add(2).catch((e: unknown) => e);
    expect(isQueueFullError(error)).toBe(true);
    expect((error as Error).stack).toBe(
      'QueueFullError: The batcher already holds maxPending (1) queued items',
    );
    expect(Error.stackTraceLimit).toBe(limit);
    await first;
  });
});
