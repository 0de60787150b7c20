import { describe, expect, it } from 'vitest';
import { runParallel } from '../src/parallel/run-parallel.js';
import { streamTasks } from '../src/parallel/stream-tasks.js';
import type { ExecuteResult, SkillTask } from '../src/types.js';

interface TimedTask extends SkillTask {
  readonly input: { readonly ms: number; readonly fail?: boolean };
}

const task = (ms: number, fail = false): TimedTask => ({ skill: 'timed', input: { ms, fail } });

/** A runner that honours its signal like the framework does: a real timer, cleared on abort. */
function timedRunner() {
  const state = { running: 0, maxRunning: 0, aborted: 0, started: 0 };
  const run = (t: TimedTask, signal: AbortSignal | undefined): Promise<ExecuteResult> =>
    new Promise((resolve, reject) => {
      state.started++;
      state.running++;
      state.maxRunning = Math.max(state.maxRunning, state.running);
      const done = () => {
        state.running--;
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        clearTimeout(timer);
        done();
        state.aborted++;
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        done();
        if (t.input.fail) reject(new Error(`failed after ${t.input.ms}`));
        else
          resolve({
            skill: t.skill,
            value: t.input.ms,
            stdout: '',
            stderr: '',
            durationMs: t.input.ms,
            attempts: 1,
            cached: false,
            workerId: 0,
          });
      }, t.input.ms);
    });
  return { run, state };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('streamTasks', () => {
  it('yields in completion order, each task once, failures as rejected outcomes', async () => {
    const { run } = timedRunner();
    const outcomes = await collect(
      streamTasks([task(60), task(5), task(30, true), task(15)], run, 4, false, undefined),
    );
    expect(outcomes.map((o) => o.index)).toEqual([1, 3, 2, 0]);
    const failed = outcomes.find((o) => o.index === 2)!;
    expect(failed.status).toBe('rejected');
    expect(failed.status === 'rejected' && (failed.reason as Error).message).toBe('failed after 30');
    const first = outcomes[0]!;
    expect(first.status === 'fulfilled' && first.value.value).toBe(5);
    expect(first.task).toEqual(task(5));
  });

  it('yields in input order when ordered', async () => {
    const { run } = timedRunner();
    const outcomes = await collect(
      streamTasks([task(40), task(5), task(20), task(1)], run, 2, true, undefined),
    );
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3]);
  });

  it('pulls lazily: a slow consumer keeps at most `concurrency` tasks ahead', async () => {
    const { run, state } = timedRunner();
    let pulled = 0;
    function* source() {
      for (let i = 0; i < 30; i++) {
        pulled++;
        yield task(1);
      }
    }
    let consumed = 0;
    let maxAhead = 0;
    for await (const _ of streamTasks(source(), run, 3, false, undefined)) {
      consumed++;
      maxAhead = Math.max(maxAhead, pulled - consumed);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    expect(consumed).toBe(30);
    expect(maxAhead).toBeLessThanOrEqual(3);
    expect(maxAhead).toBeGreaterThan(0);
    expect(state.maxRunning).toBeLessThanOrEqual(3);
  });

  it('bounds ordered mode too, when the head task is slow', async () => {
    const { run, state } = timedRunner();
    let pulled = 0;
    function* source() {
      yield task(80);
      for (let i = 0; i < 20; i++) {
        pulled++;
        yield task(1);
      }
    }
    const iterator = streamTasks(source(), run, 4, true, undefined)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.index).toBe(0);
    // While the head was running, only 3 more could be started.
    expect(pulled).toBeLessThanOrEqual(4);
    expect(state.maxRunning).toBeLessThanOrEqual(4);
    await iterator.return(undefined);
  });

  it('reads async iterables', async () => {
    const { run } = timedRunner();
    async function* source() {
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        yield task(1);
      }
    }
    expect((await collect(streamTasks(source(), run, 2, true, undefined))).map((o) => o.index)).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });

  it('on break: aborts what is in flight, closes the source, stops pulling, and leaves nothing running', async () => {
    const { run, state } = timedRunner();
    let pulled = 0;
    let closed = false;
    function* source() {
      try {
        for (;;) {
          pulled++;
          yield task(pulled === 1 ? 1 : 10_000);
        }
      } finally {
        closed = true;
      }
    }
    for await (const outcome of streamTasks(source(), run, 4, false, undefined)) {
      expect(outcome.index).toBe(0);
      break;
    }
    expect(closed).toBe(true);
    expect(state.running).toBe(0);
    expect(state.aborted).toBe(3);
    const pulledAtExit = pulled;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pulled).toBe(pulledAtExit);
  });

  it('on a throw in the loop body: the same clean-up, and the error reaches the caller', async () => {
    const { run, state } = timedRunner();
    const boom = new Error('consumer failed');
    const loop = async () => {
      for await (const _ of streamTasks([task(1), task(5_000), task(5_000)], run, 3, false, undefined))
        throw boom;
    };
    await expect(loop()).rejects.toBe(boom);
    expect(state.running).toBe(0);
    expect(state.aborted).toBe(2);
  });

  it('on abort of the signal: throws signal.reason and cancels what is in flight', async () => {
    const { run, state } = timedRunner();
    const controller = new AbortController();
    const reason = new Error('user stopped');
    const seen: number[] = [];
    const loop = async () => {
      for await (const outcome of streamTasks(
        [task(1), task(5_000), task(5_000)],
        run,
        3,
        false,
        controller.signal,
      )) {
        seen.push(outcome.index);
        setTimeout(() => controller.abort(reason), 5);
      }
    };
    await expect(loop()).rejects.toBe(reason);
    expect(seen).toEqual([0]);
    expect(state.running).toBe(0);
    expect(state.aborted).toBe(2);
  });

  it('does not start at all with an aborted signal', async () => {
    const { run, state } = timedRunner();
    const reason = new Error('too late');
    await expect(collect(streamTasks([task(1)], run, 1, false, AbortSignal.abort(reason)))).rejects.toBe(
      reason,
    );
    expect(state.started).toBe(0);
  });

  it('ends with the error of a source that throws, cancelling what is in flight', async () => {
    const { run, state } = timedRunner();
    const broken = new Error('source broke');
    function* source() {
      yield task(5_000);
      throw broken;
    }
    await expect(collect(streamTasks(source(), run, 2, false, undefined))).rejects.toBe(broken);
    expect(state.running).toBe(0);
  });

  it('does not hang on break while an async source is still producing', async () => {
    const { run } = timedRunner();
    let release!: () => void;
    async function* source() {
      yield task(1);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield task(1);
    }
    for await (const _ of streamTasks(source(), run, 2, false, undefined)) break;
    release();
  });

  it('turns a runner that throws synchronously into a rejected outcome', async () => {
    const run = (): Promise<ExecuteResult> => {
      throw new TypeError('bad task');
    };
    const [outcome] = await collect(streamTasks([task(1)], run, 1, false, undefined));
    expect(outcome).toMatchObject({ status: 'rejected', index: 0 });
  });
});

describe('runParallel', () => {
  it('settles every task once, in input order, within the concurrency', async () => {
    const { run, state } = timedRunner();
    const tasks = Array.from({ length: 40 }, (_, i) => task((i * 7) % 11, i % 5 === 0));
    const outcomes = await runParallel(tasks, run, 6, undefined, undefined);
    expect(outcomes.map((o) => o.index)).toEqual(tasks.map((_, i) => i));
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => o.index)).toEqual([
      0, 5, 10, 15, 20, 25, 30, 35,
    ]);
    expect(state.started).toBe(40);
    expect(state.maxRunning).toBe(6);
  });

  it('after an abort, settles the tasks not started as rejected with the reason, without running them', async () => {
    const { run, state } = timedRunner();
    const controller = new AbortController();
    const reason = new Error('enough');
    setTimeout(() => controller.abort(reason), 10);
    const outcomes = await runParallel(
      Array.from({ length: 10 }, () => task(5_000)),
      run,
      2,
      controller.signal,
      controller.signal,
    );
    expect(outcomes).toHaveLength(10);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason === reason)).toBe(true);
    expect(state.started).toBe(2);
  });

  it('handles an empty list', async () => {
    expect(await runParallel([], timedRunner().run, 4, undefined, undefined)).toEqual([]);
  });
});
