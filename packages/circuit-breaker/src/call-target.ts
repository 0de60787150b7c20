import type { CallContext } from './types.js';

/** An action or a guarded function, as the breaker calls it. */
export type Target = (...args: unknown[]) => unknown;

/** Calls an action with its arguments and the context last, or a guarded function with the context alone. */
export function callTarget(target: Target, args: unknown[] | undefined, context: CallContext): unknown {
  if (args === undefined) return target(context);
  // Spreading into a call with one more argument allocates a new array; most actions take few.
  switch (args.length) {
    case 0:
      return target(context);
    case 1:
      return target(args[0], context);
    case 2:
      return target(args[0], args[1], context);
    default:
      return target(...args, context);
  }
}
