import { hasBrand, setBrand } from './brand.js';

const brand = Symbol.for('@mcp-exec/ipc-batch:FrameError');

/** How much of a bad line an error quotes. */
const PREVIEW_CHARS = 120;

export function preview(text: string): string {
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

/**
 * One line of the stream could not be decoded: it is not valid JSON, or the stream ended in the
 * middle of a line. The decoder reports it and goes on with the next line.
 */
export class FrameError extends Error {
  readonly code: 'EFRAME' | 'EFRAMETOOLARGE' = 'EFRAME';
  override readonly name: string = 'FrameError';
  /** 1-based number of the offending line in the stream. */
  readonly lineNumber: number;
  /** The start of the offending line (at most 120 characters, then `…`). */
  readonly line: string;

  constructor(message: string, lineNumber: number, line: string, options?: { cause?: unknown }) {
    super(message, options);
    this.lineNumber = lineNumber;
    this.line = preview(line);
    setBrand(this, brand);
  }
}

/**
 * True for a {@link FrameError} (including a `FrameTooLargeError`), also one thrown by another
 * installed copy of this package.
 */
export function isFrameError(error: unknown): error is FrameError {
  return hasBrand(error, brand);
}
