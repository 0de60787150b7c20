import { hasBrand, setBrand } from './brand.js';
import { assignOutput, type TaskOutput } from './task-output.js';

const brand = Symbol.for('@mcp-exec/process-pool:SerializationError');

/**
 * A value JSON cannot carry: the task's parameters on the way in (a `BigInt`, a cycle, nesting
 * deeper than Python's decoder accepts) or its return value on the way out (a `set`, an object,
 * `NaN` or `Infinity`). Other tasks are not affected.
 */
export class SerializationError extends Error implements TaskOutput {
  readonly code = 'ESERIALIZATION' as const;
  override readonly name = 'SerializationError';
  /** `'params'` for the task's input, `'result'` for its return value. */
  readonly direction: 'params' | 'result';
  /** The type of the offending value, in the language that met it: `set`, `float`, `bigint`. */
  readonly typeName: string;
  /** Where in the value it sits: `value['rows'][3]`, `params.when`. */
  readonly path: string;
  declare readonly stdout?: string;
  declare readonly stderr?: string;
  declare readonly workerId?: number;
  declare readonly durationMs?: number;

  constructor(
    message: string,
    details: { direction: 'params' | 'result'; typeName: string; path: string; cause?: unknown },
    output?: TaskOutput,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.direction = details.direction;
    this.typeName = details.typeName;
    this.path = details.path;
    assignOutput(this, output);
    setBrand(this, brand);
  }
}

/** True for a {@link SerializationError}, also one thrown by another installed copy of this package. */
export function isSerializationError(error: unknown): error is SerializationError {
  return hasBrand(error, brand);
}
