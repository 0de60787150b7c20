import { encodeFrame, FrameDecoder, type FrameError } from '@mcp-exec/ipc-batch';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Cuts `bytes` at the given positions (any order, duplicates allowed) into chunks. */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const positions = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of positions) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

function decodeAll(chunks: readonly Buffer[], maxFrameBytes?: number) {
  const values: unknown[] = [];
  const errors: FrameError[] = [];
  const decoder = new FrameDecoder({
    maxFrameBytes,
    onFrame: (v) => values.push(v),
    onError: (e) => errors.push(e),
  });
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return { values, errors };
}

// Full Unicode, so multi-byte characters (up to 4 bytes) land on chunk boundaries.
const jsonValues = fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { maxLength: 20 });
const cuts = fc.array(fc.nat(), { maxLength: 40 });

describe('FrameDecoder properties', () => {
  it('decodes any split of an encoded stream into the same values', () => {
    fc.assert(
      fc.property(jsonValues, cuts, (values, positions) => {
        const bytes = Buffer.from(values.map(encodeFrame).join(''), 'utf8');
        const { values: decoded, errors } = decodeAll(split(bytes, positions));
        expect(errors).toEqual([]);
        // JSON itself turns -0 into 0: compare with what a plain JSON round trip gives.
        expect(decoded).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
      }),
      { numRuns: 500 },
    );
  });

  it('under any split, skips exactly the lines above maxFrameBytes and keeps every other one', () => {
    fc.assert(
      fc.property(jsonValues, cuts, fc.integer({ min: 1, max: 64 }), (values, positions, max) => {
        const lines = values.map(encodeFrame);
        const bytes = Buffer.from(lines.join(''), 'utf8');
        const { values: decoded, errors } = decodeAll(split(bytes, positions), max);
        const sizes = lines.map((line) => Buffer.byteLength(line) - 1);
        const kept = values.filter((_, i) => sizes[i]! <= max).map((v) => JSON.parse(JSON.stringify(v)));
        expect(decoded).toEqual(kept);
        expect(errors.map((e) => [e.code, e.lineNumber, (e as { size?: number }).size])).toEqual(
          sizes.flatMap((size, i) => (size > max ? [['EFRAMETOOLARGE', i + 1, size]] : [])),
        );
      }),
      { numRuns: 500 },
    );
  });
});
