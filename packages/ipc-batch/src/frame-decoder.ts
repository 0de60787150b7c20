import { FrameError } from './errors/frame-error.js';
import { FrameTooLargeError } from './errors/frame-too-large-error.js';

const NEWLINE = 10;
/** Bytes of an oversized line kept to quote its start in the error. */
const PREVIEW_BYTES = 120;

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Longest line accepted, in bytes, without its newline. A longer line is discarded as it
   * arrives (memory stays bounded), reported as a `FrameTooLargeError` naming its size, and
   * decoding resumes after its newline.
   * @default 16777216 (16 MiB)
   */
  maxFrameBytes?: number;
  /** Receives each decoded value, in stream order. */
  onFrame: (value: unknown) => void;
  /**
   * Receives each line that could not be decoded (a `FrameError`, or a `FrameTooLargeError`);
   * decoding goes on with the next line.
   */
  onError: (error: FrameError) => void;
}

/**
 * Turns a stream of byte chunks carrying newline-delimited JSON back into values, whatever the
 * chunk boundaries: a frame, or a multi-byte UTF-8 character, split across chunks is kept as raw
 * bytes until its newline arrives, then decoded once. Empty lines are skipped.
 *
 * The decoder keeps references to the unterminated tail of a chunk instead of copying it, so a
 * chunk must not be modified after `push()` (stream chunks never are).
 *
 * If `onFrame` or `onError` throws, the decoder still finishes the chunk (no frame is lost) and
 * then rethrows from `push()` (an `AggregateError` if several callbacks threw).
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #onFrame: (value: unknown) => void;
  readonly #onError: (error: FrameError) => void;
  /** Pieces of the current line that arrived in earlier chunks (never containing a newline). */
  #parts: Buffer[] = [];
  #partBytes = 0;
  /** Inside an oversized line: its bytes are counted, not kept. */
  #skipping = false;
  #skippedBytes = 0;
  #skippedPreview = '';
  #lineNumber = 0;
  #thrown: unknown[] | undefined;

  constructor(options: FrameDecoderOptions) {
    const { maxFrameBytes = 16 * 1024 * 1024, onFrame, onError } = options ?? {};
    if (
      typeof maxFrameBytes !== 'number' ||
      !((Number.isInteger(maxFrameBytes) && maxFrameBytes >= 1) || maxFrameBytes === Number.POSITIVE_INFINITY)
    ) {
      throw new TypeError(`maxFrameBytes must be an integer >= 1, got ${String(maxFrameBytes)}`);
    }
    if (typeof onFrame !== 'function')
      throw new TypeError(`onFrame must be a function, got ${typeof onFrame}`);
    if (typeof onError !== 'function')
      throw new TypeError(`onError must be a function, got ${typeof onError}`);
    this.#maxFrameBytes = maxFrameBytes;
    this.#onFrame = onFrame;
    this.#onError = onError;
  }

  /** Decodes every complete line of `chunk` and keeps the unterminated rest for the next one. */
  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    while (newline !== -1) {
      this.#line(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.#keep(chunk, start);
    this.#rethrow();
  }

  /**
   * Marks the end of the stream: an unterminated last line is reported (a `FrameError`, or a
   * `FrameTooLargeError` if it was already too long), never decoded, since it may be truncated.
   * The decoder is then empty and may be reused for another stream.
   */
  end(): void {
    if (this.#skipping) {
      this.#lineNumber++;
      this.#reportTooLarge(this.#skippedBytes, this.#skippedPreview);
    } else if (this.#partBytes > 0) {
      this.#lineNumber++;
      const text = Buffer.concat(this.#parts, this.#partBytes).toString('utf8');
      const n = this.#lineNumber;
      this.#report(new FrameError(`Line ${n} ends without a newline (${this.#partBytes} bytes)`, n, text));
    }
    this.#parts = [];
    this.#partBytes = 0;
    this.#skipping = false;
    this.#skippedBytes = 0;
    this.#lineNumber = 0;
    this.#rethrow();
  }

  #keep(chunk: Buffer, start: number): void {
    const length = chunk.length - start;
    if (this.#skipping) {
      this.#skippedBytes += length;
      return;
    }
    if (this.#partBytes + length > this.#maxFrameBytes) {
      const first = this.#parts[0] ?? chunk.subarray(start);
      this.#skipping = true;
      this.#skippedBytes = this.#partBytes + length;
      this.#skippedPreview = first.toString('utf8', 0, Math.min(first.length, PREVIEW_BYTES));
      this.#parts = [];
      this.#partBytes = 0;
      return;
    }
    this.#parts.push(start === 0 ? chunk : chunk.subarray(start));
    this.#partBytes += length;
  }

  #line(chunk: Buffer, start: number, end: number): void {
    this.#lineNumber++;
    const length = end - start;
    if (this.#skipping) {
      this.#skipping = false;
      const size = this.#skippedBytes + length;
      this.#skippedBytes = 0;
      this.#reportTooLarge(size, this.#skippedPreview);
      return;
    }
    let text: string;
    if (this.#partBytes === 0) {
      if (length === 0) return;
      if (length > this.#maxFrameBytes) {
        const preview = chunk.toString('utf8', start, Math.min(end, start + PREVIEW_BYTES));
        this.#reportTooLarge(length, preview);
        return;
      }
      text = chunk.toString('utf8', start, end);
    } else {
      const total = this.#partBytes + length;
      const parts = this.#parts;
      this.#parts = [];
      this.#partBytes = 0;
      if (total > this.#maxFrameBytes) {
        const first = parts[0]!;
        this.#reportTooLarge(total, first.toString('utf8', 0, Math.min(first.length, PREVIEW_BYTES)));
        return;
      }
      parts.push(chunk.subarray(start, end));
      text = Buffer.concat(parts, total).toString('utf8');
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      const n = this.#lineNumber;
      const reason = cause instanceof Error ? cause.message : String(cause);
      this.#report(new FrameError(`Line ${n} is not valid JSON: ${reason}`, n, text, { cause }));
      return;
    }
    try {
      this.#onFrame(value);
    } catch (error) {
      this.#remember(error);
    }
  }

  #reportTooLarge(size: number, preview: string): void {
    this.#report(new FrameTooLargeError(this.#lineNumber, size, this.#maxFrameBytes, preview));
  }

  #report(error: FrameError): void {
    try {
      this.#onError(error);
    } catch (thrown) {
      this.#remember(thrown);
    }
  }

  #remember(thrown: unknown): void {
    if (this.#thrown === undefined) this.#thrown = [thrown];
    else this.#thrown.push(thrown);
  }

  #rethrow(): void {
    const thrown = this.#thrown;
    if (thrown === undefined) return;
    this.#thrown = undefined;
    throw thrown.length === 1 ? thrown[0] : new AggregateError(thrown, 'Several frame callbacks threw');
  }
}
