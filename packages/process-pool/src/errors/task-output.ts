/** What a failed task left behind: set on every error that comes from a task that ran. */
export interface TaskOutput {
  /** Captured `sys.stdout` of the task, up to `maxOutputBytes`. */
  readonly stdout?: string;
  /** Captured `sys.stderr` of the task, up to `maxOutputBytes`. */
  readonly stderr?: string;
  /** The worker that ran the task. */
  readonly workerId?: number;
  /** Time the task ran in the worker, in milliseconds. */
  readonly durationMs?: number;
}

/** Copies the captured output onto an error (as own properties, so they survive logging). */
export function assignOutput(error: Error & TaskOutput, output: TaskOutput | undefined): void {
  if (output === undefined) return;
  Object.assign(error, {
    stdout: output.stdout ?? '',
    stderr: output.stderr ?? '',
    workerId: output.workerId,
    durationMs: output.durationMs,
  });
}
