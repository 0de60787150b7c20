import { BreakerRegistry, defaultIsFailure } from '@mcp-exec/circuit-breaker';
import { isAcquireTimeoutError, isPoolClosedError } from '@mcp-exec/process-pool';
import { isFrameworkClosedError, isQueueFullError } from '../errors.js';

/**
 * What counts against a skill's circuit: its own failures (an exception, a timeout, a crash,
 * a result that is not JSON). Caller errors and aborts never count (the breaker's default);
 * nor do overload (a full queue, no worker in time) and our own shutdown, which say nothing
 * about the skill's health.
 */
export function isSkillFailure(error: unknown): boolean {
  return (
    defaultIsFailure(error) &&
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
