import { describe, expectTypeOf, it } from 'vitest';
import {
  isPythonError,
  isWorkerCrashedError,
  type PythonError,
  PythonPool,
  type PythonPoolStats,
  type RunResult,
  type WorkerCrashedError,
  type WorkerExitEvent,
  type WorkerStartEvent,
} from '../src/index.js';

describe('public types', () => {
  const pool = new PythonPool();

  it('run and runCode infer unknown values unless told', () => {
    expectTypeOf(pool.run({ path: 'a.py' })).resolves.toEqualTypeOf<RunResult<unknown>>();
    expectTypeOf(pool.run<number>({ path: 'a.py' }))
      .resolves.toHaveProperty('value')
      .toEqualTypeOf<number>();
    expectTypeOf(pool.runCode<string[]>('result = []'))
      .resolves.toHaveProperty('value')
      .toEqualTypeOf<string[]>();
    // @ts-expect-error params are keyword arguments: an object, not a list
    pool.run({ path: 'a.py', params: [1, 2] });
    // @ts-expect-error path is required
    pool.run({ fn: 'execute' });
  });

  it('events carry typed payloads', () => {
    pool.on('workerStart', (event) => expectTypeOf(event).toEqualTypeOf<WorkerStartEvent>());
    pool.on('workerExit', (event) => {
      expectTypeOf(event).toEqualTypeOf<WorkerExitEvent>();
      expectTypeOf(event.reason).toEqualTypeOf<
        'crashed' | 'timeout' | 'recycled' | 'idle' | 'closed' | 'failedStart'
      >();
    });
    // @ts-expect-error no such event
    pool.on('workerExploded', () => {});
  });

  it('guards narrow', () => {
    const error: unknown = new Error('x');
    if (isPythonError(error)) expectTypeOf(error).toEqualTypeOf<PythonError>();
    if (isWorkerCrashedError(error)) expectTypeOf(error.signal).toEqualTypeOf<string | null>();
    expectTypeOf<WorkerCrashedError['code']>().toEqualTypeOf<'EWORKERCRASHED'>();
  });

  it('stats are read-only data', () => {
    expectTypeOf(pool.stats()).toEqualTypeOf<PythonPoolStats>();
    const stats = pool.stats();
    // @ts-expect-error snapshots are read-only
    stats.tasksRun = 1;
  });
});
