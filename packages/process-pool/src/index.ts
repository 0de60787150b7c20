export { AcquireTimeoutError, isAcquireTimeoutError } from './errors/acquire-timeout-error.js';
export { isMemoryLimitError, MemoryLimitError } from './errors/memory-limit-error.js';
export { isMessageTooLargeError, MessageTooLargeError } from './errors/message-too-large-error.js';
export { isPoolClosedError, PoolClosedError } from './errors/pool-closed-error.js';
export { isPythonError, PythonError } from './errors/python-error.js';
export { isSerializationError, SerializationError } from './errors/serialization-error.js';
export type { TaskOutput } from './errors/task-output.js';
export { isTaskTimeoutError, TaskTimeoutError } from './errors/task-timeout-error.js';
export { isWorkerCrashedError, WorkerCrashedError, type WorkerExit } from './errors/worker-crashed-error.js';
export { isWorkerStartError, WorkerStartError } from './errors/worker-start-error.js';
export type {
  PreloadErrorEvent,
  PythonPoolEvents,
  WorkerExitEvent,
  WorkerExitReason,
  WorkerStartEvent,
} from './events.js';
export type { PythonPoolOptions } from './options.js';
export { PythonPool } from './pool.js';
export { type ResolvePythonOptions, resolvePython } from './resolve-python.js';
export { WORKER_MARKER, WORKER_SCRIPT } from './spawn-worker.js';
export type { FailureCounts, PythonPoolStats } from './stats.js';
export type {
  CloseOptions,
  RunCodeOptions,
  RunOptions,
  RunRequest,
  RunResult,
  WaitOptions,
} from './types.js';
