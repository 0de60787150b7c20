import type { Readable } from 'node:stream';
import type { FrameError } from './errors/frame-error.js';
import { FrameDecoder } from './frame-decoder.js';

/** Options of {@link decodeFrames}. */
export interface DecodeFramesOptions {
  /**
   * Longest line accepted, in bytes; see `FrameDecoderOptions.maxFrameBytes`.
   * @default 16777216 (16 MiB)
   */
  maxFrameBytes?: number;
  /**
   * Aborting it destroys the stream and ends the iteration with `signal.reason`.
   * @default undefined
   */
  signal?: AbortSignal;
}

/**
 * Iterates over the values of a stream of newline-delimited JSON.
 *
 * A line that cannot be decoded does not end the iteration: it is yielded in place, as a
 * `FrameError` (or `FrameTooLargeError`) value, so the consumer sees every problem in stream
 * order and decides. No decoded JSON value can be a `FrameError`, so `isFrameError(value)` tells
 * them apart. The stream must yield Buffers or strings (do not set an encoding other than UTF-8).
 * Leaving the loop early destroys the stream, as `for await` over any Readable does.
 *
 * @example
 * for await (const value of decodeFrames(child.stdout)) {
 *   if (isFrameError(value)) console.warn(value.message);
 *   else handle(value);
 * }
 */
export async function* decodeFrames(
  readable: Readable,
  options: DecodeFramesOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  const { maxFrameBytes, signal } = options;
  if (signal?.aborted) {
    // No error passed: nothing listens on the stream yet, and an 'error' event would be uncaught.
    readable.destroy();
    throw signal.reason;
  }
  let ready: unknown[] = [];
  const collect = (value: unknown | FrameError): void => {
    ready.push(value);
  };
  const decoder = new FrameDecoder({ maxFrameBytes, onFrame: collect, onError: collect });
  const onAbort = (): void => {
    readable.destroy(signal?.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of readable as AsyncIterable<Buffer | string>) {
      decoder.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      if (ready.length > 0) {
        const values = ready;
        ready = [];
        yield* values;
      }
    }
    decoder.end();
    yield* ready;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
