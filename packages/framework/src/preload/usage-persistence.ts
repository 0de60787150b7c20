import { warn } from '../util/warn.js';
import { encodeUsage, writeUsageFile } from './usage-file.js';
import type { UsageTracker } from './usage-tracker.js';

/**
 * Saves the usage window to `usageFile` at most once per `interval` ms after a change (one
 * unref'd timer, armed by the first change after a save, never per call) and on close. A failed
 * write is a warning: usage history is an optimisation, never a reason to fail.
 */
export class UsagePersistence {
  readonly #path: string;
  readonly #interval: number;
  readonly #tracker: UsageTracker;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #closed = false;

  constructor(path: string, interval: number, tracker: UsageTracker) {
    this.#path = path;
    this.#interval = interval;
    this.#tracker = tracker;
  }

  /** The hot path: one boolean test, except for the first change after a save. */
  changed(): void {
    if (this.#dirty) return;
    this.#dirty = true;
    if (this.#interval > 0 && !this.#closed) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.#save();
      }, this.#interval).unref();
    }
  }

  /** Stops the timer and writes what changed since the last save. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
    await this.#save();
  }

  /** One write at a time; a change during a write is saved by the next one. */
  async #save(): Promise<void> {
    if (this.#writing !== undefined) await this.#writing;
    if (!this.#dirty) return;
    this.#dirty = false;
    const text = encodeUsage(this.#tracker.window());
    this.#writing = writeUsageFile(this.#path, text)
      .catch((error: unknown) => {
        warn('MCP_EXEC_USAGE', `usageFile "${this.#path}" could not be written`, error);
      })
      .finally(() => {
        this.#writing = undefined;
      });
    await this.#writing;
  }
}
