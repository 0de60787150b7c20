import { Batcher, type BatcherOptions } from '@mcp-exec/ipc-batch';
import { describe, expect, it } from 'vitest';

const flush = async (items: readonly unknown[]) => items;

describe('Batcher options', () => {
  it.each<[BatcherOptions<unknown>, string]>([
    [{ maxBatchSize: 0 }, 'maxBatchSize must be an integer >= 1, got 0'],
    [{ maxBatchSize: 1.5 }, 'maxBatchSize must be an integer >= 1, got 1.5'],
    [{ maxBatchSize: Number.NaN }, 'maxBatchSize must be an integer >= 1, got NaN'],
    [{ maxBatchSize: '10' as never }, 'maxBatchSize must be an integer >= 1, got 10'],
    [{ maxBatchBytes: 0, sizeOf: () => 1 }, 'maxBatchBytes must be a number > 0, got 0'],
    [{ maxBatchBytes: 1024 }, 'sizeOf is required when maxBatchBytes is set, got maxBatchBytes 1024'],
    [{ sizeOf: 4 as never }, 'sizeOf must be a function, got number'],
    [{ maxDelayMs: -1 }, 'maxDelayMs must be a number between 0 and 2147483647, got -1'],
    [{ maxDelayMs: 2 ** 31 }, 'maxDelayMs must be a number between 0 and 2147483647, got 2147483648'],
    [{ maxConcurrency: 0 }, 'maxConcurrency must be an integer >= 1, got 0'],
    [{ maxPending: -5 }, 'maxPending must be an integer >= 1, got -5'],
  ])('rejects %o with a TypeError naming the option and the value', (options, message) => {
    expect(() => new Batcher(flush, options)).toThrow(new TypeError(message));
  });

  it('rejects a flush that is not a function', () => {
    expect(() => new Batcher('nope' as never)).toThrow(new TypeError('flush must be a function, got string'));
  });

  it('accepts Infinity where a bound may be lifted', () => {
    expect(
      () =>
        new Batcher(flush, {
          maxBatchSize: Number.POSITIVE_INFINITY,
          maxConcurrency: Number.POSITIVE_INFINITY,
          maxPending: Number.POSITIVE_INFINITY,
        }),
    ).not.toThrow();
  });
});
