import { hasBrand, setBrand } from './brand.js';
import { assignOutput, type TaskOutput } from './task-output.js';

const brand = Symbol.for('@mcp-exec/process-pool:TaskTimeoutError');

/**
 * The task ran longer than its `timeoutMs`. Either the worker interrupted it (SIGALRM raised
 * inside the task; the worker lives on) or, if the task could not be interrupted (C code holding
 * the GIL, a task that swallows the interruption), Node killed the worker after `killGraceMs`.
 */
export class TaskTimeoutError extends Error implements TaskOutput {
  readonly code = 'ETASKTIMEOUT' as const;
  override readonly name = 'TaskTimeoutError';
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
  /** True when the worker had to be killed because the task did not yield to the interruption. */
  readonly killed: boolean;
  /** Where the task was when it was interrupted (empty when the worker was killed). */
  readonly traceback: string;
  declare readonly stdout?: string;
  declare readonly stderr?: string;
  declare readonly workerId?: number;
  declare readonly durationMs?: number;

  constructor(timeoutMs: number, killed: boolean, traceback = '', output?: TaskOutput) {
    super(
      killed
        ? `The task ran longer than its timeout (${timeoutMs} ms) and did not yield: its worker was killed`
        : `The task ran longer than its timeout (${timeoutMs} ms) and was interrupted`,
    );
    this.timeoutMs = timeoutMs;
    this.killed = killed;
    this.traceback = traceback;
    assignOutput(this, output);
    setBrand(this, brand);
  }
}

/** True for a {@link TaskTimeoutError}, also one thrown by another installed copy of this package. */
export function isTaskTimeoutError(error: unknown): error is TaskTimeoutError {
  return hasBrand(error, brand);
}
