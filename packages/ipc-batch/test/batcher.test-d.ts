import {
  Batcher,
  type BatcherStats,
  type FrameError,
  isBatchFlushError,
  isFrameError,
  isQueueFullError,
} from '@mcp-exec/ipc-batch';
import { describe, expectTypeOf, it } from 'vitest';

describe('Batcher types', () => {
  it('infers item and result types from the flush', () => {
    const batcher = new Batcher(async (ids: readonly number[]) => ids.map((id) => `user-${id}`));
    expectTypeOf(batcher).toEqualTypeOf<Batcher<number, string>>();
    expectTypeOf(batcher.add(1)).toEqualTypeOf<Promise<string>>();
    // @ts-expect-error an item of the wrong type
    void batcher.add('1');
  });

  it('lets a flush mix values, errors and promises of values', () => {
    const batcher = new Batcher<string, number>(async (items) =>
      items.map((s, i) => (i === 0 ? s.length : i === 1 ? new Error('no') : Promise.resolve(i))),
    );
    expectTypeOf(batcher.stats()).toEqualTypeOf<BatcherStats>();
  });

  it('rejects a flush that answers with the wrong type', () => {
    // @ts-expect-error strings are not numbers
    new Batcher<number, number>(async (items) => items.map(String));
  });

  it('narrows with the guards', () => {
    const error: unknown = null;
    if (isQueueFullError(error)) expectTypeOf(error.maxPending).toEqualTypeOf<number>();
    if (isBatchFlushError(error)) expectTypeOf(error.batchSize).toEqualTypeOf<number>();
    if (isFrameError(error)) expectTypeOf(error).toEqualTypeOf<FrameError>();
  });
});
