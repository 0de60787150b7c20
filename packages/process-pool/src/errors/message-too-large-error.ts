import { hasBrand, setBrand } from './brand.js';
import { assignOutput, type TaskOutput } from './task-output.js';

const brand = Symbol.for('@mcp-exec/process-pool:MessageTooLargeError');

/**
 * The task's request or its result is larger than `maxMessageBytes` once encoded as JSON. A
 * request that is too large is never sent; a result that is too large is dropped by the worker.
 */
export class MessageTooLargeError extends Error implements TaskOutput {
  readonly code = 'EMESSAGETOOLARGE' as const;
  override readonly name = 'MessageTooLargeError';
  /** `'request'` (parameters or source on the way in) or `'result'` (on the way out). */
  readonly direction: 'request' | 'result';
  /** Size of the encoded message, in bytes. */
  readonly bytes: number;
  /** `maxMessageBytes`. */
  readonly limit: number;
  declare readonly stdout?: string;
  declare readonly stderr?: string;
  declare readonly workerId?: number;
  declare readonly durationMs?: number;

  constructor(direction: 'request' | 'result', bytes: number, limit: number, output?: TaskOutput) {
    super(`The task's ${direction} is ${bytes} bytes as JSON, over maxMessageBytes (${limit})`);
    this.direction = direction;
    this.bytes = bytes;
    this.limit = limit;
    assignOutput(this, output);
    setBrand(this, brand);
  }
}

/** True for a {@link MessageTooLargeError}, also one thrown by another installed copy of this package. */
export function isMessageTooLargeError(error: unknown): error is MessageTooLargeError {
  return hasBrand(error, brand);
}
