import { isCircuitOpenError, type MCPCodeExecutionFramework } from '@mcp-exec/framework';
import { median, ms, timed } from './measure.js';
import { progress } from './progress.js';

/** What a phase showed, line by line (its title is printed before it runs). */
export type Lines = readonly string[];

/** The first call pays for the interpreter and the import; later calls reuse both. */
export async function coldVersusWarm(fw: MCPCodeExecutionFramework): Promise<Lines> {
  const cold = await timed(async () => {
    await fw.start();
    return fw.execute('hello', { name: 'cold' });
  });
  const warm: number[] = [];
  for (let i = 0; i < 500; i++) warm.push((await timed(() => fw.execute('hello', { name: 'warm' }))).ms);
  const warmMedian = median(warm);
  return [
    `cold (start a worker, import the skill, run it): ${ms(cold.ms)}`,
    `warm (median of 500 sequential calls):           ${ms(warmMedian)}`,
    `a warm call is ${Math.round(cold.ms / warmMedian)}x faster: workers stay up and modules stay imported`,
  ];
}

export const HEAVY_TASKS = 8;
export const HEAVY_N = 25;

async function heavyBatch(fw: MCPCodeExecutionFramework, label: string, parallel: boolean): Promise<number> {
  const bar = progress(label, HEAVY_TASKS);
  const tasks = Array.from({ length: HEAVY_TASKS }, () => ({
    skill: 'heavy-task-skill',
    input: { n: HEAVY_N },
  }));
  const run = async () => {
    if (parallel) {
      const outcomes = await fw.executeParallel(tasks.map((t) => ({ ...t })));
      bar.tick(outcomes.length);
      const failed = outcomes.find((o) => o.status === 'rejected');
      if (failed) throw failed.reason;
      return;
    }
    for (const t of tasks) {
      await fw.execute(t.skill, t.input);
      bar.tick();
    }
  };
  try {
    return (await timed(run)).ms;
  } finally {
    bar.stop();
  }
}

/** CPU-bound Python holds the GIL: only more worker processes make it faster. */
export async function sequentialVersusParallel(
  oneWorker: MCPCodeExecutionFramework,
  twoWorkers: MCPCodeExecutionFramework,
): Promise<Lines> {
  await oneWorker.execute('heavy-task-skill', { n: 1 });
  await twoWorkers.executeParallel([
    { skill: 'heavy-task-skill', input: { n: 1 } },
    { skill: 'heavy-task-skill', input: { n: 1 } },
  ]);
  const sequential = await heavyBatch(oneWorker, 'sequential, 1 worker', false);
  const parallelOne = await heavyBatch(oneWorker, 'parallel, 1 worker', true);
  const parallelTwo = await heavyBatch(twoWorkers, 'parallel, 2 workers', true);
  return [
    `sequential on 1 worker: ${ms(sequential)}`,
    `parallel on 1 worker:   ${ms(parallelOne)} (no gain: one interpreter, one GIL)`,
    `parallel on 2 workers:  ${ms(parallelTwo)} (${(sequential / parallelTwo).toFixed(2)}x the sequential speed)`,
  ];
}

/** `cacheable: true` skills are pure: a repeated input is answered from the result cache. */
export async function resultCache(fw: MCPCodeExecutionFramework): Promise<Lines> {
  const input = { numbers: Array.from({ length: 1000 }, (_, i) => i) };
  const first = await timed(() => fw.execute('pure-sum', input));
  const second = await timed(() => fw.execute('pure-sum', input));
  const lines = [
    `first call:  ${ms(first.ms)} (cached: ${first.value.cached})`,
    `second call: ${ms(second.ms)} (cached: ${second.value.cached})`,
  ];
  lines.push(
    second.value.cached
      ? `the hit was ${Math.round(first.ms / second.ms)}x faster and never reached Python`
      : 'this build does not memoize results yet: both calls ran in Python',
  );
  return lines;
}

type CircuitEvent = 'circuitOpen' | 'circuitHalfOpen' | 'circuitClose';

/**
 * Resolves on the framework's next `name` event. Its timer is not unref'd on purpose: the
 * breaker's timers and idle workers never keep a process alive, so while the demo waits for a
 * circuit to half-open, this is what does.
 */
function nextEvent(fw: MCPCodeExecutionFramework, name: CircuitEvent, withinMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      fw.off(name, onEvent);
      reject(new Error(`no ${name} event within ${withinMs} ms`));
    }, withinMs);
    fw.once(name, onEvent);
  });
}

/** Five consecutive failures open the circuit; it rejects fast, half-opens, and closes again. */
export async function circuitBreaker(fw: MCPCodeExecutionFramework, resetTimeoutMs: number): Promise<Lines> {
  const lines: string[] = [];
  const opened = nextEvent(fw, 'circuitOpen', 10_000);
  for (let i = 1; i <= 5; i++) {
    await fw.execute('flaky', { fail: true }).catch((error: Error) => {
      lines.push(`call ${i}: failed (${error.message.split('\n')[0]})`);
    });
  }
  await opened;
  lines.push('circuit for "flaky" is OPEN');
  const rejected = await timed(() =>
    fw.execute('flaky', {}).then(
      () => 'ran',
      (e: unknown) => e,
    ),
  );
  if (!isCircuitOpenError(rejected.value)) throw new Error('expected the open circuit to reject the call');
  lines.push(`call 6: rejected in ${ms(rejected.ms)} without touching a worker (CircuitOpenError)`);
  await nextEvent(fw, 'circuitHalfOpen', resetTimeoutMs + 10_000);
  lines.push(`after ${resetTimeoutMs} ms: HALF_OPEN, one trial call is let through`);
  const closed = nextEvent(fw, 'circuitClose', 10_000);
  await fw.execute('flaky', { fail: false });
  await closed;
  lines.push('the trial call succeeded: circuit CLOSED again');
  return lines;
}

/** `submit` returns at once; `getTaskStatus` shows what runs and what waits. */
export async function backgroundTasks(fw: MCPCodeExecutionFramework): Promise<Lines> {
  await fw.execute('slow', { ms: 0 });
  const ids = Array.from({ length: 5 }, (_, i) => fw.submit('slow', { ms: 200 + i * 20 }));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const status = fw.getTaskStatus();
  const results = await Promise.all(ids.map((id) => fw.waitFor(id)));
  const states = ids.map((id) => fw.getTask(id)?.state);
  return [
    `submitted 5 tasks; 50 ms later: ${status.running.length} running, ${status.queued.length} queued, maxConcurrent ${status.maxConcurrent}`,
    `all done: ${states.join(', ')}; slept ${results.map((r) => (r.value as { slept_ms: number }).slept_ms).join(', ')} ms`,
  ];
}

/** A lazy stream: tasks are pulled as slots free up, outcomes arrive as they finish. */
export async function stream(fw: MCPCodeExecutionFramework, total: number): Promise<Lines> {
  async function* tasks() {
    for (let i = 0; i < total; i++) yield { skill: 'hello', input: { name: `agent-${i}` } };
  }
  // One untimed pass first: the figure is the stream's, not the import's or the JIT's.
  for await (const _ of fw.executeStream(tasks(), { concurrency: 64 })) {
  }
  const bar = progress('stream', total);
  let ok = 0;
  const run = await timed(async () => {
    for await (const outcome of fw.executeStream(tasks(), { concurrency: 64 })) {
      if (outcome.status === 'fulfilled') ok++;
      bar.tick();
    }
  });
  bar.stop();
  return [
    `${ok}/${total} succeeded in ${ms(run.ms)}: ${Math.round((total / run.ms) * 1000).toLocaleString('en-US')} tasks/s`,
  ];
}
