import { Presets, SingleBar } from 'cli-progress';

/** A progress bar on a terminal; a single closing line elsewhere (CI logs stay readable). */
export interface Progress {
  tick(count?: number): void;
  stop(): void;
}

export function progress(label: string, total: number): Progress {
  if (!process.stdout.isTTY) {
    let done = 0;
    return {
      tick: (count = 1) => {
        done += count;
      },
      stop: () => console.log(`  ${label}: ${done}/${total}`),
    };
  }
  const bar = new SingleBar(
    { format: `  ${label} [{bar}] {value}/{total}`, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: (count = 1) => bar.increment(count), stop: () => bar.stop() };
}
