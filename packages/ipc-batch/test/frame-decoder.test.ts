import {
  encodeFrame,
  FrameDecoder,
  type FrameError,
  isFrameError,
  isFrameTooLargeError,
} from '@mcp-exec/ipc-batch';
import { describe, expect, it } from 'vitest';

function collector(maxFrameBytes?: number) {
  const values: unknown[] = [];
  const errors: FrameError[] = [];
  const decoder = new FrameDecoder({
    maxFrameBytes,
    onFrame: (v) => values.push(v),
    onError: (e) => errors.push(e),
  });
  return { decoder, values, errors };
}

describe('encodeFrame', () => {
  it('encodes one line of JSON ending in a newline, with inner newlines escaped', () => {
    expect(encodeFrame({ id: 1, text: 'a\nb' })).toBe('{"id":1,"text":"a\\nb"}\n');
    expect(encodeFrame([1, 'é'])).toBe('[1,"é"]\n');
  });

  it.each([
    [undefined, 'undefined'],
    [() => 1, 'function'],
    [Symbol('s'), 'symbol'],
  ])('throws a TypeError for %s', (value, type) => {
    expect(() => encodeFrame(value)).toThrow(
      new TypeError(`encodeFrame cannot encode a value of type ${type}`),
    );
  });

  it('throws a TypeError for a cycle or a bigint', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeFrame(cyclic)).toThrow(TypeError);
    expect(() => encodeFrame(1n)).toThrow(TypeError);
  });
});

describe('FrameDecoder', () => {
  it('decodes several frames of one chunk, in order, and skips empty lines', () => {
    const { decoder, values, errors } = collector();
    decoder.push(Buffer.from(`${encodeFrame({ a: 1 })}\n${encodeFrame([2])}${encodeFrame('three')}`));
    expect(values).toEqual([{ a: 1 }, [2], 'three']);
    expect(errors).toEqual([]);
  });

  it('joins a frame split across many chunks, and a multi-byte character split in its middle', () => {
    const { decoder, values } = collector();
    const bytes = Buffer.from(encodeFrame({ text: 'héllo 🙂 wörld' }) + encodeFrame(42));
    // One byte at a time splits every multi-byte character.
    for (let i = 0; i < bytes.length; i++) decoder.push(bytes.subarray(i, i + 1));
    expect(values).toEqual([{ text: 'héllo 🙂 wörld' }, 42]);
  });

  it('reports an invalid line as a FrameError naming the line, and goes on', () => {
    const { decoder, values, errors } = collector();
    decoder.push(Buffer.from('{"ok":1}\n{"broken":\n{"ok":2}\n'));
    expect(values).toEqual([{ ok: 1 }, { ok: 2 }]);
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(isFrameError(error)).toBe(true);
    expect(isFrameTooLargeError(error)).toBe(false);
    expect(error).toMatchObject({ code: 'EFRAME', lineNumber: 2, line: '{"broken":' });
    expect(error!.message).toMatch(/^Line 2 is not valid JSON: /);
    expect(error!.cause).toBeInstanceOf(SyntaxError);
  });

  it('truncates a long invalid line in the error', () => {
    const { decoder, errors } = collector();
    decoder.push(Buffer.from(`${'x'.repeat(500)}\n`));
    expect(errors[0]!.line).toBe(`${'x'.repeat(120)}…`);
  });

  it('reports an oversized frame with its size and recovers at the next newline', () => {
    const { decoder, values, errors } = collector(16);
    decoder.push(Buffer.from('[1]\n"0123456789012345678'));
    decoder.push(Buffer.from('9012345678901234"\n[2]\n'));
    decoder.push(Buffer.from(`"${'y'.repeat(30)}"\n[3]\n`));
    expect(values).toEqual([[1], [2], [3]]);
    expect(errors.map((e) => [e.code, e.lineNumber, (e as { size?: number }).size])).toEqual([
      ['EFRAMETOOLARGE', 2, 37],
      ['EFRAMETOOLARGE', 4, 32],
    ]);
    expect(isFrameTooLargeError(errors[0])).toBe(true);
    expect(isFrameError(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ maxFrameBytes: 16, line: '"0123456789012345678' });
    expect(errors[0]!.message).toBe('Line 2 is 37 bytes, above maxFrameBytes (16)');
  });

  it('accepts a frame of exactly maxFrameBytes, split or whole', () => {
    const { decoder, values, errors } = collector(10);
    decoder.push(Buffer.from('"12345678"\n"1234'));
    decoder.push(Buffer.from('5678"\n'));
    expect(values).toEqual(['12345678', '12345678']);
    expect(errors).toEqual([]);
  });

  it('reports an unterminated last frame at end() instead of decoding it, then starts afresh', () => {
    const { decoder, values, errors } = collector();
    decoder.push(Buffer.from('[1]\n123'));
    decoder.end();
    expect(values).toEqual([[1]]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'EFRAME', lineNumber: 2, line: '123' });
    expect(errors[0]!.message).toBe('Line 2 ends without a newline (3 bytes)');
    decoder.push(Buffer.from('[9]\n'));
    decoder.end();
    expect(values).toEqual([[1], [9]]);
    expect(errors).toHaveLength(1);
  });

  it('reports an oversized unterminated last frame at end() with its size so far', () => {
    const { decoder, errors } = collector(4);
    decoder.push(Buffer.from('"abcdefgh'));
    decoder.end();
    expect(errors[0]).toMatchObject({ code: 'EFRAMETOOLARGE', size: 9, lineNumber: 1 });
  });

  it('finishes the chunk when a callback throws, then rethrows', () => {
    const values: unknown[] = [];
    const boom = new Error('consumer failed');
    const decoder = new FrameDecoder({
      onFrame: (v) => {
        values.push(v);
        if (v === 1) throw boom;
      },
      onError: () => {
        throw new Error('error consumer failed');
      },
    });
    expect(() => decoder.push(Buffer.from('1\n2\n'))).toThrow(boom);
    expect(values).toEqual([1, 2]);
    expect(() => decoder.push(Buffer.from('1\n}\n3\n'))).toThrow(AggregateError);
    expect(values).toEqual([1, 2, 1, 3]);
  });

  it.each([
    [{ maxFrameBytes: 0 }, 'maxFrameBytes must be an integer >= 1, got 0'],
    [{ onFrame: undefined }, 'onFrame must be a function, got undefined'],
    [{ onError: 'x' }, 'onError must be a function, got string'],
  ])('validates its options: %o', (override, message) => {
    const options = { onFrame: () => {}, onError: () => {}, ...override };
    expect(() => new FrameDecoder(options as never)).toThrow(new TypeError(message));
  });
});
