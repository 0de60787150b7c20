import type { EventEmitter } from 'node:events';
import type { CircuitBreakerEvents } from './events.js';

/**
 * Emits a breaker event, or does nothing when no one listens: most calls have no listener for
 * their event, and skipping `emit` spares its allocations on the hot path.
 *
 * A listener that throws never corrupts the call or the state change that triggered the event:
 * its exception is rethrown on its own, as an uncaught exception, like a throw in a timer.
 */
export function notify<K extends keyof CircuitBreakerEvents>(
  emitter: EventEmitter<CircuitBreakerEvents>,
  event: K,
  ...args: CircuitBreakerEvents[K]
): void {
  if (emitter.listenerCount(event) === 0) return;
  try {
    (emitter.emit as (event: K, ...args: CircuitBreakerEvents[K]) => boolean).call(emitter, event, ...args);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
