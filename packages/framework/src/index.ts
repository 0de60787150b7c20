// The failures of the layers below, so that callers need only this package.
export { CircuitOpenError, isCircuitOpenError } from '@mcp-exec/circuit-breaker';
export type { PythonPoolOptions, PythonPoolStats } from '@mcp-exec/process-pool';
export {
  AcquireTimeoutError,
  isAcquireTimeoutError,
  isMemoryLimitError,
  isMessageTooLargeError,
  isPoolClosedError,
  isPythonError,
  isSerializationError,
  isTaskTimeoutError,
  isWorkerCrashedError,
  isWorkerStartError,
  MemoryLimitError,
  MessageTooLargeError,
  PoolClosedError,
  PythonError,
  SerializationError,
  TaskTimeoutError,
  WorkerCrashedError,
  WorkerStartError,
} from '@mcp-exec/process-pool';
export type { TaskErrorInfo, TaskInfo, TaskState } from './background/background-tasks.js';
export type { FrameworkErrorCode, InputIssue } from './errors.js';
export {
  FrameworkClosedError,
  InputValidationError,
  InvalidSkillError,
  isFrameworkClosedError,
  isInputValidationError,
  isInvalidSkillError,
  isQueueFullError,
  isSkillNotFoundError,
  isTaskNotFoundError,
  QueueFullError,
  SkillNotFoundError,
  TaskNotFoundError,
} from './errors.js';
export type { FrameworkEvents } from './events.js';
export type { ExecutorStats } from './executor/executor.js';
export { MCPCodeExecutionFramework } from './framework.js';
export type { FrameworkRetryOptions, MCPCodeExecutionFrameworkOptions } from './options.js';
export type { PreloaderStats } from './preload/preloader.js';
export type { JsonSchema } from './skills/manifest.js';
export type { SkillInfo } from './skills/skill-loader.js';
export { SKILL_NAME_PATTERN } from './skills/skill-name.js';
export type { FrameworkStats } from './stats/framework-stats.js';
export type { LatencyStats, SkillStats } from './stats/skill-metrics.js';
export type {
  CloseOptions,
  CodeOptions,
  CodeResult,
  ExecuteOptions,
  ExecuteResult,
  ParallelOptions,
  SkillTask,
  StreamOptions,
  TaskOutcome,
  WaitOptions,
} from './types.js';
