/** A queued item; `removed` is true once it left the queue, dequeued or cancelled. */
export interface Removable {
  removed: boolean;
}

interface Level<T> {
  readonly priority: number;
  items: T[];
  head: number;
}

/**
 * FIFO within a priority, higher priorities first. Callers use a handful of distinct priorities,
 * so a sorted list of FIFO levels gives O(1) enqueue/dequeue where a binary heap would pay
 * O(log n) comparisons and need a sequence number to stay FIFO. Cancelled items stay in place
 * and are skipped when they reach the head.
 */
export class PriorityQueue<T extends Removable> {
  /** Sorted by priority, highest first. Empty levels are dropped, so this stays short. */
  #levels: Level<T>[] = [];
  #size = 0;

  /** Items waiting, removed ones excluded. */
  get size(): number {
    return this.#size;
  }

  enqueue(item: T, priority: number): void {
    const levels = this.#levels;
    let i = 0;
    while (i < levels.length && levels[i]!.priority > priority) i++;
    let level = levels[i];
    if (level === undefined || level.priority !== priority) {
      level = { priority, items: [], head: 0 };
      levels.splice(i, 0, level);
    }
    level.items.push(item);
    this.#size++;
  }

  /** Marks a waiting item as gone; it is skipped later. Returns false if it was already gone. */
  cancel(item: T): boolean {
    if (item.removed) return false;
    item.removed = true;
    this.#size--;
    return true;
  }

  dequeue(): T | undefined {
    while (this.#levels.length > 0) {
      const level = this.#levels[0]!;
      while (level.head < level.items.length) {
        const item = level.items[level.head]!;
        level.items[level.head++] = undefined as never;
        if (!item.removed) {
          this.#compact(level);
          item.removed = true;
          this.#size--;
          return item;
        }
      }
      this.#levels.shift();
    }
    return undefined;
  }

  /** Empties the queue, returning the items that were still waiting. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.dequeue(); item !== undefined; item = this.dequeue()) out.push(item);
    return out;
  }

  #compact(level: Level<T>): void {
    if (level.head === level.items.length) {
      level.items = [];
      level.head = 0;
    } else if (level.head > 1024 && level.head * 2 > level.items.length) {
      level.items = level.items.slice(level.head);
      level.head = 0;
    }
  }
}
