import { hasBrand, setBrand } from './brand.js';
import { FrameError } from './frame-error.js';

const brand = Symbol.for('@mcp-exec/ipc-batch:FrameTooLargeError');

/**
 * A line was longer than `maxFrameBytes`. Its bytes were discarded as they arrived (never
 * buffered past the limit) and decoding resumed after its newline.
 */
export class FrameTooLargeError extends FrameError {
  override readonly code = 'EFRAMETOOLARGE' as const;
  override readonly name = 'FrameTooLargeError';
  /** Size of the line in bytes, without its newline (so far, if the stream ended inside it). */
  readonly size: number;
  /** The limit it exceeded. */
  readonly maxFrameBytes: number;

  constructor(lineNumber: number, size: number, maxFrameBytes: number, line: string) {
    super(`Line ${lineNumber} is ${size} bytes, above maxFrameBytes (${maxFrameBytes})`, lineNumber, line);
    this.size = size;
    this.maxFrameBytes = maxFrameBytes;
    setBrand(this, brand);
  }
}

/** True for a {@link FrameTooLargeError}, also one thrown by another installed copy of this package. */
export function isFrameTooLargeError(error: unknown): error is FrameTooLargeError {
  return hasBrand(error, brand);
}
