import { Bench } from 'tinybench';
import type { BenchCase, CaseResult, GroupResults } from './group.js';

export interface MeasureOptions {
  readonly quick: boolean;
}

/** Runs every case with tinybench and expresses each result per operation. */
export async function measure(
  cases: readonly BenchCase[],
  baseline: string,
  { quick }: MeasureOptions,
): Promise<CaseResult[]> {
  const bench = new Bench({
    time: quick ? 150 : 1_500,
    warmupTime: quick ? 30 : 300,
    iterations: quick ? 5 : 20,
    warmupIterations: quick ? 2 : 10,
  });
  for (const c of cases) bench.add(c.name, c.fn);
  await bench.run();

  const raw = cases.map((c) => {
    const task = bench.getTask(c.name);
    const result = task?.result;
    if (!result || !('latency' in result)) {
      const reason = result && 'error' in result ? String(result.error) : (result?.state ?? 'not run');
      throw new Error(`bench case "${c.name}" did not complete: ${reason}`);
    }
    const ops = c.opsPerCall ?? 1;
    const msToNsPerOp = 1_000_000 / ops;
    return {
      name: c.name,
      meanNs: result.latency.mean * msToNsPerOp,
      p50Ns: result.latency.p50 * msToNsPerOp,
      p99Ns: result.latency.p99 * msToNsPerOp,
      rme: result.latency.rme,
      samples: result.latency.samplesCount,
    };
  });
  const base = raw.find((r) => r.name === baseline);
  if (!base) throw new Error(`baseline "${baseline}" is not one of the cases`);
  return raw.map((r) => ({ ...r, opsPerSec: 1e9 / r.meanNs, vsBaseline: r.meanNs / base.meanNs }));
}

export function resultsOf(results: readonly CaseResult[]): GroupResults {
  return {
    get(name) {
      const found = results.find((r) => r.name === name);
      if (!found) throw new Error(`no bench case named "${name}"`);
      return found;
    },
  };
}
