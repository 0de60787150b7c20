import { PassThrough, Readable } from 'node:stream';
import { decodeFrames, encodeFrame, isFrameError, isFrameTooLargeError } from '@mcp-exec/ipc-batch';
import { describe, expect, it } from 'vitest';

async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('decodeFrames', () => {
  it('yields the values of a stream, and its bad lines in place as FrameError values', async () => {
    const source = Readable.from(
      [Buffer.from(`${encodeFrame(1)}not json\n{"a"`), ':2}\n', Buffer.from(`"${'z'.repeat(40)}"\n[3]\n[4`)],
      { objectMode: true },
    );
    const values = await collect(decodeFrames(source, { maxFrameBytes: 20 }));
    expect(values).toHaveLength(6);
    expect(values[0]).toBe(1);
    expect(isFrameError(values[1])).toBe(true);
    expect(values[1]).toMatchObject({ lineNumber: 2, line: 'not json' });
    expect(values[2]).toEqual({ a: 2 });
    expect(isFrameTooLargeError(values[3])).toBe(true);
    expect(values[3]).toMatchObject({ size: 42 });
    expect(values[4]).toEqual([3]);
    expect(values[5]).toMatchObject({ code: 'EFRAME', message: 'Line 6 ends without a newline (2 bytes)' });
  });

  it('ends with signal.reason when aborted while waiting, and destroys the stream', async () => {
    const source = new PassThrough();
    const controller = new AbortController();
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const value of decodeFrames(source, { signal: controller.signal })) {
        seen.push(value);
        if (seen.length === 1) setImmediate(() => controller.abort(new Error('enough')));
      }
    })();
    source.write(encodeFrame('first'));
    await expect(reading).rejects.toThrow('enough');
    expect(seen).toEqual(['first']);
    expect(source.destroyed).toBe(true);
  });

  it('rejects at once for an already aborted signal, and destroys the stream', async () => {
    const source = new PassThrough();
    const iterator = decodeFrames(source, { signal: AbortSignal.abort('stop') });
    await expect(iterator.next()).rejects.toBe('stop');
    expect(source.destroyed).toBe(true);
  });
});
