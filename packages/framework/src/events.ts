import type { SkillInfo } from './skills/skill-loader.js';
import type { ExecuteResult } from './types.js';

/** The events of {@link MCPCodeExecutionFramework}, each with one plain payload object. */
export interface FrameworkEvents {
  /** A background task left the queue and started. */
  taskStarted: [event: { readonly id: string; readonly skill: string }];
  /** A background task succeeded. */
  taskCompleted: [event: { readonly id: string; readonly skill: string; readonly result: ExecuteResult }];
  /** A background task failed or was cancelled. */
  taskError: [event: { readonly id: string; readonly skill: string; readonly error: unknown }];
  /** A skill's circuit opened: its calls are now rejected at once with `CircuitOpenError`. */
  circuitOpen: [event: { readonly skill: string; readonly trigger: string; readonly error: unknown }];
  /** A skill's circuit lets a trial call through. */
  circuitHalfOpen: [event: { readonly skill: string }];
  /** A skill's circuit closed again after a successful trial. */
  circuitClose: [event: { readonly skill: string }];
  /** A skill was read from disk: first use, preload, or a change to its files. */
  skillLoaded: [event: { readonly skill: SkillInfo }];
}
