import { EventEmitter } from 'node:events';
import { CircuitBreaker } from './circuit-breaker.js';
import { BreakerShutdownError } from './errors/breaker-shutdown-error.js';
import type { OpenInfo } from './events.js';
import { type CircuitBreakerOptions, resolveBreakerOptions, resolveSnapshot } from './options.js';
import type { BreakerSnapshot, BreakerStats } from './stats.js';
import type { CircuitState } from './types.js';
import { show } from './validate.js';

/** The options a registry applies to its breakers: all but `name` (the key) and `fallback` (per call). */
export type RegistryBreakerOptions = Omit<CircuitBreakerOptions, 'name' | 'fallback'>;

/** Options of a {@link BreakerRegistry}. */
export interface BreakerRegistryOptions {
  /**
   * Options every breaker gets.
   * @default {} (the breaker defaults)
   */
  readonly defaults?: RegistryBreakerOptions;
  /**
   * Per-key options, laid over `defaults`.
   * @default {}
   * @example { overrides: { 'slow-report': { timeout: 120_000, failureThreshold: 2 } } }
   */
  readonly overrides?: Readonly<Record<string, RegistryBreakerOptions>>;
  /**
   * States saved with `toJSON()`, restored as each key's breaker is created (an override's own
   * `initialState` wins).
   * @default {}
   */
  readonly initialStates?: Readonly<Record<string, BreakerSnapshot>>;
}

/** The events of a {@link BreakerRegistry}: its breakers' transitions, with their key. */
export interface BreakerRegistryEvents {
  open: [key: string, info: OpenInfo];
  halfOpen: [key: string];
  close: [key: string];
}

/**
 * One {@link CircuitBreaker} per key (e.g. per skill), created on first use with shared defaults
 * and per-key overrides. Breakers are independent: one key's failures never affect another's.
 *
 * @example
 * const breakers = new BreakerRegistry({ defaults: { failureThreshold: 5, resetTimeout: 60_000 } });
 * const result = await breakers.get('heavy-task').execute(({ signal }) => pool.run(task, { signal }));
 */
export class BreakerRegistry extends EventEmitter<BreakerRegistryEvents> {
  readonly #defaults: RegistryBreakerOptions;
  readonly #overrides: ReadonlyMap<string, RegistryBreakerOptions>;
  readonly #initialStates: ReadonlyMap<string, BreakerSnapshot>;
  readonly #breakers = new Map<string, CircuitBreaker>();
  #isShutdown = false;

  constructor(options: BreakerRegistryOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`options must be an object, got ${show(options)}`);
    }
    this.#defaults = options.defaults ?? {};
    resolveBreakerOptions(this.#defaults, 'defaults', 'defaults.');
    this.#overrides = entries('overrides', options.overrides);
    this.#initialStates = entries('initialStates', options.initialStates);
    // Bad configuration fails here, not on the first call for some key.
    for (const [key, snapshot] of this.#initialStates)
      resolveSnapshot(snapshot, `initialStates[${JSON.stringify(key)}]`);
    for (const key of this.#overrides.keys()) {
      resolveBreakerOptions(this.#optionsFor(key), key, `overrides[${JSON.stringify(key)}].`);
    }
  }

  /** How many breakers exist. */
  get size(): number {
    return this.#breakers.size;
  }

  /** The breaker for `key`, created on first use. Throws a `BreakerShutdownError` after `shutdown()`. */
  get(key: string): CircuitBreaker {
    const existing = this.#breakers.get(key);
    if (existing !== undefined) return existing;
    if (typeof key !== 'string' || key === '')
      throw new TypeError(`key must be a non-empty string, got ${show(key)}`);
    if (this.#isShutdown) throw new BreakerShutdownError('BreakerRegistry');
    const breaker = new CircuitBreaker(this.#optionsFor(key));
    breaker.on('open', (info) => this.emit('open', key, info));
    breaker.on('halfOpen', () => this.emit('halfOpen', key));
    breaker.on('close', () => this.emit('close', key));
    this.#breakers.set(key, breaker);
    return breaker;
  }

  /** True if a breaker exists for `key`. */
  has(key: string): boolean {
    return this.#breakers.has(key);
  }

  /** The keys that have a breaker. */
  keys(): string[] {
    return [...this.#breakers.keys()];
  }

  /** Shuts down and forgets `key`'s breaker; the next `get(key)` starts afresh. */
  delete(key: string): boolean {
    const breaker = this.#breakers.get(key);
    if (breaker === undefined) return false;
    this.#breakers.delete(key);
    breaker.shutdown();
    return true;
  }

  /** Each breaker's state, by key. */
  states(): Readonly<Record<string, CircuitState>> {
    return Object.freeze(
      Object.fromEntries([...this.#breakers].map(([key, breaker]) => [key, breaker.state])),
    );
  }

  /** Each breaker's `stats()`, by key. */
  stats(): Readonly<Record<string, BreakerStats>> {
    return Object.freeze(
      Object.fromEntries([...this.#breakers].map(([key, breaker]) => [key, breaker.stats()])),
    );
  }

  /** Each breaker's `toJSON()`, by key: pass it back as `initialStates` to restore them. */
  toJSON(): Record<string, BreakerSnapshot> {
    return Object.fromEntries([...this.#breakers].map(([key, breaker]) => [key, breaker.toJSON()]));
  }

  /** Shuts every breaker down (see `CircuitBreaker.shutdown`) and removes every listener. Idempotent. */
  shutdown(): void {
    if (this.#isShutdown) return;
    this.#isShutdown = true;
    for (const breaker of this.#breakers.values()) breaker.shutdown();
    this.#breakers.clear();
    this.removeAllListeners();
  }

  #optionsFor(key: string): CircuitBreakerOptions {
    const initialState = this.#initialStates.get(key);
    return {
      ...this.#defaults,
      ...(initialState === undefined ? {} : { initialState }),
      ...this.#overrides.get(key),
      name: key,
    };
  }
}

function entries<T>(name: string, record: Readonly<Record<string, T>> | undefined): ReadonlyMap<string, T> {
  if (record === undefined) return new Map();
  if (typeof record !== 'object' || record === null) {
    throw new TypeError(`${name} must be an object, got ${show(record)}`);
  }
  // A Map, so a key such as "constructor" or "__proto__" never reads Object.prototype.
  return new Map(Object.entries(record));
}
