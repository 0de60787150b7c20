import { hasBrand, setBrand } from './brand.js';
import { assignOutput, type TaskOutput } from './task-output.js';

const brand = Symbol.for('@mcp-exec/process-pool:PythonError');

/** The task raised a Python exception (`SystemExit` and `KeyboardInterrupt` included). */
export class PythonError extends Error implements TaskOutput {
  readonly code = 'EPYTHON' as const;
  override readonly name = 'PythonError';
  /** The exception's type, qualified by its module unless built in: `ValueError`, `mylib.Oops`. */
  readonly pythonType: string;
  /** `str(exception)`. */
  readonly pythonMessage: string;
  /** The formatted Python traceback, without the worker's own frames. */
  readonly traceback: string;
  declare readonly stdout?: string;
  declare readonly stderr?: string;
  declare readonly workerId?: number;
  declare readonly durationMs?: number;

  constructor(pythonType: string, pythonMessage: string, traceback: string, output?: TaskOutput) {
    super(pythonMessage === '' ? pythonType : `${pythonType}: ${pythonMessage}`);
    this.pythonType = pythonType;
    this.pythonMessage = pythonMessage;
    this.traceback = traceback;
    assignOutput(this, output);
    setBrand(this, brand);
  }
}

/** True for a {@link PythonError}, also one thrown by another installed copy of this package. */
export function isPythonError(error: unknown): error is PythonError {
  return hasBrand(error, brand);
}
