export { Batcher } from './batcher.js';
export type {
  AddOptions,
  BatcherOptions,
  BatcherStats,
  BatchResult,
  FlushContext,
  FlushFunction,
  WaitOptions,
} from './batcher-options.js';
export { type DecodeFramesOptions, decodeFrames } from './decode-frames.js';
export { encodeFrame } from './encode-frame.js';
export { BatchFlushError, isBatchFlushError } from './errors/batch-flush-error.js';
export { BatcherClosedError, isBatcherClosedError } from './errors/batcher-closed-error.js';
export { FrameError, isFrameError } from './errors/frame-error.js';
export { FrameTooLargeError, isFrameTooLargeError } from './errors/frame-too-large-error.js';
export { isQueueFullError, QueueFullError } from './errors/queue-full-error.js';
export { FrameDecoder, type FrameDecoderOptions } from './frame-decoder.js';
