import { hasBrand, setBrand } from './brand.js';

const brand = Symbol.for('@mcp-exec/process-pool:WorkerCrashedError');

/** How a worker process ended. */
export interface WorkerExit {
  /** The pool's number for the worker. */
  readonly workerId: number;
  readonly pid: number | undefined;
  /** Exit code, or `null` if a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended it (`'SIGKILL'`), or `null`. */
  readonly signal: string | null;
  /** The last lines the worker wrote to its stderr (fd 2), for diagnosis. */
  readonly stderrTail: string;
}

/**
 * The worker died while this task was running, or after it started and before its result was
 * sent. The task may have had side effects. Tasks of the same batch that had not started are not
 * failed: they run again on another worker.
 */
export class WorkerCrashedError extends Error implements WorkerExit {
  readonly code = 'EWORKERCRASHED' as const;
  override readonly name = 'WorkerCrashedError';
  readonly workerId: number;
  readonly pid: number | undefined;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  /**
   * True when the worker certainly died while running this task. False when Node cannot tell
   * which of a few tasks was running: each of them had started, and perhaps finished, without
   * its result leaving the worker (see "Crash semantics" in the README).
   */
  readonly running: boolean;

  constructor(exit: WorkerExit, running: boolean, detail = '') {
    const how = exit.signal === null ? `exited with code ${exit.exitCode}` : `was killed by ${exit.signal}`;
    const when = running
      ? 'while running this task'
      : 'after this task may have started, before its result was sent (it may have run)';
    const why = detail === '' ? '' : ` (${detail})`;
    const tail = exit.stderrTail === '' ? '' : `; its last stderr lines:\n${exit.stderrTail}`;
    super(`Python worker ${exit.workerId} (pid ${exit.pid}) ${how} ${when}${why}${tail}`);
    this.workerId = exit.workerId;
    this.pid = exit.pid;
    this.exitCode = exit.exitCode;
    this.signal = exit.signal;
    this.stderrTail = exit.stderrTail;
    this.running = running;
    setBrand(this, brand);
  }
}

/** True for a {@link WorkerCrashedError}, also one thrown by another installed copy of this package. */
export function isWorkerCrashedError(error: unknown): error is WorkerCrashedError {
  return hasBrand(error, brand);
}
