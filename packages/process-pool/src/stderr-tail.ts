const KEEP_CHARS = 8192;

/** The end of a worker's stderr, kept for crash reports: bounded, whatever the worker writes. */
export class StderrTail {
  #text = '';

  push(chunk: Buffer): void {
    const text = this.#text + chunk.toString('utf8');
    this.#text = text.length > KEEP_CHARS ? text.slice(-KEEP_CHARS) : text;
  }

  /** The last `count` non-empty lines. */
  lines(count = 20): string {
    return this.#text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-count)
      .join('\n');
  }
}
