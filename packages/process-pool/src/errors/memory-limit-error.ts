import { hasBrand, setBrand } from './brand.js';
import { assignOutput, type TaskOutput } from './task-output.js';

const brand = Symbol.for('@mcp-exec/process-pool:MemoryLimitError');

/**
 * The task ran out of memory under `memoryLimitMb` (Python raised `MemoryError`). The worker is
 * replaced after its batch, so the next task starts on a fresh heap.
 */
export class MemoryLimitError extends Error implements TaskOutput {
  readonly code = 'EMEMORYLIMIT' as const;
  override readonly name = 'MemoryLimitError';
  /** The limit of the worker's address space, in MiB. */
  readonly memoryLimitMb: number;
  /** Where the allocation failed. */
  readonly traceback: string;
  declare readonly stdout?: string;
  declare readonly stderr?: string;
  declare readonly workerId?: number;
  declare readonly durationMs?: number;

  constructor(memoryLimitMb: number, traceback: string, output?: TaskOutput) {
    super(`The task ran out of memory (memoryLimitMb is ${memoryLimitMb})`);
    this.memoryLimitMb = memoryLimitMb;
    this.traceback = traceback;
    assignOutput(this, output);
    setBrand(this, brand);
  }
}

/** True for a {@link MemoryLimitError}, also one thrown by another installed copy of this package. */
export function isMemoryLimitError(error: unknown): error is MemoryLimitError {
  return hasBrand(error, brand);
}
