import { BreakerRegistry, defaultIsFailure } from '@mcp-exec/circuit-breaker';
import {
  isAcquireTimeoutError,
  isMessageTooLargeError,
  isPoolClosedError,
  isSerializationError,
} from '@mcp-exec/process-pool';
import { isFrameworkClosedError, isQueueFullError } from '../errors.js';

/**
 * What counts against a skill's circuit: its own failures (an exception, a timeout, a crash, a
 * result JSON cannot carry). Caller errors and aborts never count (the breaker's default), nor
 * do input that cannot be sent, overload (a full queue, no worker in time) and our own shutdown:
 * they say nothing about the skill's health.
 */
export function isSkillFailure(error: unknown): boolean {
  if (!defaultIsFailure(error)) return false;
  if (isSerializationError(error)) return error.direction === 'result';
  if (isMessageTooLargeError(error)) return error.direction === 'result';
  return (
    !isQueueFullError(error) &&
    !isFrameworkClosedError(error) &&
    !isPoolClosedError(error) &&
    !isAcquireTimeoutError(error)
  );
}

/** One breaker per skill, created on the skill's first call. */
export function createSkillBreakers(failureThreshold: number, resetTimeout: number): BreakerRegistry {
  return new BreakerRegistry({ defaults: { failureThreshold, resetTimeout, isFailure: isSkillFailure } });
}
