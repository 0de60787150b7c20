import type { RunResult } from './types.js';

export type TaskKind = 'skill' | 'code' | 'preload' | 'ping';

type OnValue = (value: RunResult) => void;
type OnError = (error: unknown) => void;

const PENDING = 0;
const RESOLVED = 1;
const REJECTED = 2;

/**
 * One unit of work, and its wire form: `JSON.stringify` sees only the public fields (private
 * fields and prototype getters are not serialised), so a batch of tasks is encoded in one call
 * without building a second object per task.
 *
 * It is also the result the pool hands the batcher for this task: a minimal thenable whose
 * `then()` the batcher calls once. A promise per task would cost an allocation, a closure and a
 * microtask hop more on the hot path.
 */
export class Task {
  readonly id: number;
  readonly kind: TaskKind;
  readonly path: string | undefined;
  readonly fn: string | undefined;
  readonly params: Readonly<Record<string, unknown>> | undefined;
  readonly source: string | undefined;
  readonly input: unknown;
  readonly timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  #state = PENDING;
  #outcome: unknown;
  #onValue: OnValue | undefined;
  #onError: OnError | undefined;

  constructor(
    id: number,
    kind: TaskKind,
    fields: {
      path?: string;
      fn?: string;
      params?: Readonly<Record<string, unknown>>;
      source?: string;
      input?: unknown;
      timeoutMs: number;
    },
    signal?: AbortSignal,
  ) {
    this.id = id;
    this.kind = kind;
    this.path = fields.path;
    this.fn = fields.fn;
    this.params = fields.params;
    this.source = fields.source;
    this.input = fields.input;
    this.timeoutMs = fields.timeoutMs;
    this.#signal = signal;
  }

  /** The caller's signal: an aborted task is not sent again after a crash. */
  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  get settled(): boolean {
    return this.#state !== PENDING;
  }

  /** Registers the one consumer of this task's outcome (the batcher, or an `await`). */
  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, see the class comment
  then(onValue?: OnValue | null, onError?: OnError | null): void {
    if (this.#onValue !== undefined || this.#onError !== undefined) {
      throw new Error('Task.then() may be called only once');
    }
    const ignore = (): void => {};
    this.#onValue = onValue ?? ignore;
    this.#onError = onError ?? ignore;
    if (this.#state === RESOLVED) this.#onValue(this.#outcome as RunResult);
    else if (this.#state === REJECTED) this.#onError(this.#outcome);
  }

  resolve(value: RunResult): void {
    if (this.#state !== PENDING) return;
    this.#state = RESOLVED;
    this.#outcome = value;
    this.#onValue?.(value);
  }

  reject(error: unknown): void {
    if (this.#state !== PENDING) return;
    this.#state = REJECTED;
    this.#outcome = error;
    this.#onError?.(error);
  }
}
