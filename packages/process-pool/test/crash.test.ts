import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isWorkerCrashedError, type RunResult, WorkerCrashedError } from '../src/index.js';
import { createPool, fixture, tempDir, waitFor } from './helpers.js';

const crash = fixture('crash.py');

async function ranIds(log: string): Promise<number[]> {
  return (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map(Number)
    .sort((a, b) => a - b);
}

describe('5. crash safety', () => {
  it('kill -9 in the middle of a batch of 100: each task settles once, the unstarted ones re-run elsewhere', async () => {
    const dir = await tempDir();
    const log = `${dir}/ran.log`;
    const marker = `${dir}/running`;
    // One idle worker, so that the batch of 100 is not shared out; the re-run starts another.
    const pool = createPool({ minWorkers: 1, maxWorkers: 2 });
    await pool.start();
    await pool.run({ path: crash, fn: 'record', params: { log: `${dir}/warm.log`, value: -1 } });

    const settled: PromiseSettledResult<RunResult>[] = new Array(100);
    let settlements = 0;
    const calls = Array.from({ length: 100 }, (_, i) => {
      const params = { log, value: i, ...(i === 50 ? { marker } : {}) };
      const call = pool.run({ path: crash, fn: i === 50 ? 'hang_after_marker' : 'record', params });
      call.then(
        (value) => {
          settlements++;
          settled[i] = { status: 'fulfilled', value };
        },
        (reason: unknown) => {
          settlements++;
          settled[i] = { status: 'rejected', reason };
        },
      );
      return call;
    });
    await waitFor(() => existsSync(marker), 10_000, 'task 50 to start');
    const pid = Number(await readFile(marker, 'utf8'));
    process.kill(pid, 'SIGKILL');
    await Promise.allSettled(calls);
    expect(settlements).toBe(100);

    for (let i = 0; i < 100; i++) {
      const outcome = settled[i]!;
      if (i === 50) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as WorkerCrashedError;
        expect(error).toBeInstanceOf(WorkerCrashedError);
        expect(error).toMatchObject({ code: 'EWORKERCRASHED', signal: 'SIGKILL', pid, running: true });
      } else {
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { value: i } });
      }
    }
    const crashedId = ((settled[50] as PromiseRejectedResult).reason as WorkerCrashedError).workerId;
    for (let i = 0; i < 50; i++) {
      expect((settled[i] as PromiseFulfilledResult<RunResult>).value.workerId).toBe(crashedId);
    }
    for (let i = 51; i < 100; i++) {
      expect((settled[i] as PromiseFulfilledResult<RunResult>).value.workerId).not.toBe(crashedId);
    }
    // Every task ran exactly once, the killed one included: no task ran twice.
    expect(await ranIds(log)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const stats = pool.stats();
    expect(stats).toMatchObject({ crashes: 1, redispatched: 49, failures: { crashed: 1 } });
    expect((await pool.run({ path: crash, fn: 'record', params: { log, value: 100 } })).value).toBe(100);
  });

  it('a task that kills its worker at once fails alone; the results before it are kept', async () => {
    const dir = await tempDir();
    const log = `${dir}/ran.log`;
    const pool = createPool({ maxWorkers: 1 });
    await pool.start();
    await pool.run({ path: crash, fn: 'record', params: { log: `${dir}/warm.log`, value: -1 } });
    const calls = [0, 1, 2, 3, 4].map((value) =>
      pool.run({ path: crash, fn: value === 2 ? 'die' : 'record', params: { log, value } }),
    );
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ signal: 'SIGKILL', running: true });
    expect(await ranIds(log)).toEqual([0, 1, 2, 3, 4]);
  });

  it('when a known-fast function crashes, every task settles once and none runs twice', async () => {
    const dir = await tempDir();
    const log = `${dir}/ran.log`;
    const pool = createPool({ maxWorkers: 1 });
    await pool.start();
    // Teach the worker that both functions are fast: no write before them from now on, so the
    // results of the tasks before the crash may still be in the worker's buffer when it dies.
    await pool.run({ path: crash, fn: 'record', params: { log: `${dir}/warm.log`, value: -1 } });
    await pool.run({ path: crash, fn: 'die', params: { log: `${dir}/warm.log`, value: -2, crash: false } });
    const calls = [0, 1, 2, 3].map((value) =>
      pool.run({ path: crash, fn: value === 2 ? 'die' : 'record', params: { log, value } }),
    );
    const outcomes = await Promise.allSettled(calls);
    const crashed = (outcomes[2] as PromiseRejectedResult).reason as WorkerCrashedError;
    expect(crashed).toMatchObject({ code: 'EWORKERCRASHED', signal: 'SIGKILL' });
    // Which results left the worker before it died depends on timing. Node calls the crash
    // certain only when this task alone may have been running, i.e. when it is the only failure.
    const failures = outcomes.filter((outcome) => outcome.status === 'rejected').length;
    expect(crashed.running).toBe(failures === 1);
    for (const [i, outcome] of outcomes.entries()) {
      // A result that left the worker stands; one that did not is a crash (the task may have
      // run), never a second run.
      if (outcome.status === 'fulfilled') expect(outcome.value.value).toBe(i);
      else expect(isWorkerCrashedError(outcome.reason)).toBe(true);
    }
    const ran = await ranIds(log);
    expect(ran.slice(0, 3)).toEqual([0, 1, 2]);
    expect(new Set(ran).size).toBe(ran.length);
    expect((await pool.run({ path: crash, fn: 'record', params: { log, value: 9 } })).value).toBe(9);
  });

  it('a worker that dies while idle is replaced on the next call', async () => {
    const pool = createPool({ maxWorkers: 1 });
    const exits: string[] = [];
    pool.on('workerExit', (event) => exits.push(event.reason));
    await pool.start();
    const first = await pool.run({ path: fixture('basic.py'), fn: 'pid' });
    process.kill(first.value as number, 'SIGKILL');
    await waitFor(() => exits.length === 1, 5_000, 'the worker exit');
    expect(exits).toEqual(['crashed']);
    const second = await pool.run({ path: fixture('basic.py'), fn: 'pid' });
    expect(second.value).not.toBe(first.value);
    expect(pool.stats().crashes).toBe(1);
  });

  it('a task that writes garbage to the result pipe costs its worker, never Node', async () => {
    const pool = createPool();
    const garbage = [
      'null\n',
      'not json\n',
      '{"id": -5, "ok": true}\n',
      '{"error": 1}\n',
      '{"run": -5, "us": [1], "values": [1]}\n',
    ];
    for (const data of garbage) {
      const error = await pool
        .run({ path: crash, fn: 'scribble', params: { data } })
        .catch((e: unknown) => e);
      expect(isWorkerCrashedError(error)).toBe(true);
      expect((error as Error).message).toContain('protocol error');
    }
    expect((await pool.run({ path: fixture('basic.py'), fn: 'add', params: { a: 2, b: 2 } })).value).toBe(4);
    expect(pool.stats().crashes).toBe(garbage.length);
  });
});
