import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { FrameDecoder, type FrameError } from '@mcp-exec/ipc-batch';
import { encodeBatch } from './encode-batch.js';
import { PoolClosedError } from './errors/pool-closed-error.js';
import { TaskTimeoutError } from './errors/task-timeout-error.js';
import { WorkerCrashedError, type WorkerExit } from './errors/worker-crashed-error.js';
import { WorkerStartError } from './errors/worker-start-error.js';
import { exitFates, type InFlight } from './in-flight.js';
import { spawnWorker } from './spawn-worker.js';
import type { PoolCounters } from './stats.js';
import { StderrTail } from './stderr-tail.js';
import { Task } from './task.js';
import { errorFromWire, type WireMessage, wireError } from './wire.js';

const NEWLINE = 10;

/** Why Node ended a worker; `undefined` when it died on its own. */
export type KillReason = 'timeout' | 'closed' | 'protocol' | 'stopped';

/** Everything a worker needs from its pool. */
export interface WorkerConfig {
  readonly id: number;
  /** The configured command, for messages. */
  readonly python: string;
  /** The resolved interpreter. */
  readonly executable: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly maxOutputBytes: number;
  readonly maxMessageBytes: number;
  readonly memoryLimitMb: number | undefined;
  /** Tasks with this timeout do not carry it: the worker knows it from its arguments. */
  readonly taskTimeoutMs: number;
  readonly counters: PoolCounters;
  readonly nextTaskId: () => number;
  /** Receives tasks that never started here (the worker died first): they may run elsewhere. */
  readonly handBack: (tasks: readonly Task[]) => void;
  /** Called once, when the process is gone and every task it held is settled or handed back. */
  readonly onExit: (worker: Worker, exit: WorkerExit) => void;
}

/**
 * One Python process and its protocol: batches out on fd 3, one result line per task back on
 * fd 4, in task order. Knows which tasks may have started (see `#claim`), so that when the
 * process dies it can fail exactly those and hand the others back for another worker.
 */
export class Worker {
  readonly id: number;
  readonly #config: WorkerConfig;
  readonly #process: ChildProcess | undefined;
  readonly #input: Writable | undefined;
  #output: Readable | undefined;
  readonly #decoder: FrameDecoder;
  /** The decoder holds no partial line (the last chunk it got ended with a newline). */
  #decoderEmpty = true;
  readonly #stderr = new StderrTail();
  #inFlight: InFlight[] = [];
  #sent = 0;
  /** Highest sequence number the worker said may have started; see `run_batch` in worker.py. */
  #claim = 0;
  /** When the worker last showed progress (or was given work while idle), `performance.now()`. */
  #progressAt = 0;
  #alive: boolean;
  #killReason: KillReason | undefined;
  #protocolError = '';
  #fatal = '';
  #exitCode: number | null = null;
  #exitSignal: string | null = null;
  #finalized = false;
  readonly #exited: Promise<void>;
  #markExited: () => void = () => {};
  /** `stop()` waiting for the worker to finish what it holds. */
  #onEmpty: (() => void) | undefined;
  /** How long the last batch took once the worker could start it, in ms (Infinity: none yet). */
  #lastBatchMs = Number.POSITIVE_INFINITY;
  #lastDoneAt = 0;
  /** Tasks this worker has answered, for `maxTasksPerWorker`. */
  tasksRun = 0;
  /** Replace after the current work: set after `maxTasksPerWorker` or a `MemoryError`. */
  retiring = false;
  /** This worker's share of `maxTasksPerWorker` (drawn by the pool, with jitter). */
  recycleAfter = Number.POSITIVE_INFINITY;

  private constructor(config: WorkerConfig, spawn: boolean) {
    this.id = config.id;
    this.#config = config;
    this.#exited = new Promise<void>((resolve) => {
      this.#markExited = resolve;
    });
    this.#decoder = new FrameDecoder({
      // Room for the envelope around a result of maxMessageBytes; the worker enforces the limit.
      maxFrameBytes: config.maxMessageBytes + 4096,
      onFrame: this.#onFrame,
      onError: this.#onFrameError,
    });
    this.#alive = spawn;
    if (!spawn) {
      this.#finalized = true;
      this.#markExited();
      return;
    }
    const { child, stdout, stderr, input, output } = spawnWorker(config);
    this.#process = child;
    child.on('exit', this.#onExit);
    child.on('error', this.#onSpawnError);
    // fd 1 and 2 belong to the tasks: drained continuously, or a task writing to them would block.
    stdout.resume();
    stderr.on('data', (chunk: Buffer) => this.#stderr.push(chunk));
    output.on('data', this.#onData);
    this.#input = input;
    // An idle worker does not keep Node alive (it exits on its own when Node does); a worker with
    // work in flight does, through its result pipe, so that awaiting a call is enough.
    this.#output = output;
  }

  /** Spawns a worker process. */
  static spawn(config: WorkerConfig): Worker {
    return new Worker(config, true);
  }

  /** A worker that never had a process: handed to the pool's waiting requests once it is closed. */
  static inert(config: WorkerConfig): Worker {
    return new Worker(config, false);
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Alive, not retiring: may be given work. */
  get usable(): boolean {
    return this.#alive && !this.retiring && this.#killReason === undefined;
  }

  /** Why Node ended (or is ending) this worker; `undefined` while it runs or if it died alone. */
  get killReason(): KillReason | undefined {
    return this.#killReason;
  }

  get alive(): boolean {
    return this.#alive;
  }

  get busy(): boolean {
    return this.#inFlight.length > 0;
  }

  /**
   * True when the worker's batches take less than `ms`: its last one did, and the one it runs now
   * has not yet. Only then is another batch queued behind the current one (pipelining); a batch
   * never waits behind a slow task while another worker could take it.
   */
  isQuick(now: number, ms: number): boolean {
    if (this.#lastBatchMs >= ms) return false;
    const head = this.#inFlight[0];
    return head === undefined || now - Math.max(head.sentAt, this.#lastDoneAt) < ms;
  }

  /** Resolves once the process is gone and its tasks are settled or handed back. */
  get exited(): Promise<void> {
    return this.#exited;
  }

  /**
   * Sends a ping and resolves once the worker answers; rejects with `WorkerStartError` if it dies
   * or stays silent for `timeoutMs` (then it is killed).
   */
  async ready(timeoutMs: number): Promise<void> {
    const ping = Task.of(this.#config.nextTaskId(), 'ping', {}, timeoutMs, this.#config.taskTimeoutMs);
    let silent = false;
    const timer = setTimeout(() => {
      silent = true;
      this.kill('stopped');
    }, timeoutMs);
    try {
      this.dispatch([ping]);
      await ping;
    } catch (error) {
      const exit = this.#exit();
      let reason: string;
      if (silent) reason = `it did not answer within ${timeoutMs} ms`;
      else if (this.#fatal !== '') reason = this.#fatal.trim();
      else if (exit.signal !== null) reason = `it was killed by ${exit.signal}`;
      else if (exit.exitCode !== null) reason = `it exited with code ${exit.exitCode}`;
      else reason = error instanceof Error ? error.message : String(error);
      throw new WorkerStartError(this.#config.python, reason, exit.stderrTail, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends tasks to the worker. Each settles as its result line arrives; `onDone` runs once every
   * task has settled or, if the worker died, been handed back through `onExit`.
   */
  dispatch(tasks: readonly Task[], onDone?: () => void): void {
    if (!this.#alive || this.#input === undefined || this.#killReason !== undefined) {
      // Never started, gone, or going: nothing ran here, so every task may go elsewhere.
      this.#config.handBack(tasks);
      onDone?.();
      return;
    }
    const { frames, rejected } = encodeBatch(tasks, this.#config.maxMessageBytes);
    for (const [task, error] of rejected) this.#fail(task, error);
    if (frames.length === 0) {
      onDone?.();
      return;
    }
    const now = performance.now();
    if (this.#inFlight.length === 0) {
      this.#progressAt = now;
      (this.#output as Partial<Socket> | undefined)?.ref?.();
    }
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      this.#inFlight.push({
        tasks: frame.tasks,
        sentAt: now,
        firstSeq: this.#sent + 1,
        next: 0,
        onDone: i === frames.length - 1 ? onDone : undefined,
      });
      this.#sent += frame.tasks.length;
      this.#input.write(frame.text);
    }
  }

  /**
   * True when the task at the head has run past its timeout plus `graceMs` without the worker
   * interrupting it. The task's start is taken as the worker's last sign of progress, which is
   * never earlier than the real start, so a worker is never killed early.
   */
  overdue(now: number, graceMs: number): boolean {
    const head = this.#inFlight[0];
    const task = head?.tasks[head.next];
    return task !== undefined && now - this.#progressAt > task.limitMs + graceMs;
  }

  /** Kills the process now (SIGKILL). Its tasks settle according to `reason` once it is gone. */
  kill(reason: KillReason): void {
    this.#killReason ??= reason;
    if (!this.#alive) return;
    this.#process?.ref(); // whoever awaits `exited` keeps Node alive until the process is reaped
    this.#process?.kill('SIGKILL');
  }

  /**
   * Lets the worker finish what it holds, then closes its input so it exits on its own; kills it
   * if it is not gone within `graceMs`. Resolves once it is gone.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.#alive) return this.#exited;
    this.#killReason ??= 'stopped';
    if (this.#inFlight.length > 0) {
      await new Promise<void>((resolve) => {
        const previous = this.#onEmpty;
        this.#onEmpty = () => {
          previous?.();
          resolve();
        };
      });
    }
    this.#process?.ref(); // whoever awaits `exited` keeps Node alive until the process is reaped
    this.#input?.end();
    const timer = setTimeout(() => this.kill('stopped'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#progressAt = performance.now();
    const whole = chunk[chunk.length - 1] === NEWLINE;
    if (whole && this.#decoderEmpty && chunk.length <= this.#config.maxMessageBytes) {
      // The common chunk: whole result lines, nothing pending, each line within the limit. The
      // worker writes ASCII JSON, one value per line, so the lines joined by commas are a JSON
      // array: one parse instead of one per line (the slowest part of reading results). Any
      // surprise falls back to the line decoder, which reports exactly what is wrong.
      let frames: unknown[] | undefined;
      try {
        frames = JSON.parse(`[${chunk.toString('latin1', 0, chunk.length - 1).replaceAll('\n', ',')}]`);
      } catch {
        frames = undefined;
      }
      if (frames !== undefined) {
        for (let i = 0; i < frames.length; i++) this.#onFrame(frames[i]);
        return;
      }
    }
    this.#decoderEmpty = whole;
    try {
      this.#decoder.push(chunk);
    } catch (error) {
      // Whatever reaches fd 4 (a task can write to it too) must never throw into Node's loop.
      this.#onProtocolError(error instanceof Error ? error.message : String(error));
    }
  };

  readonly #onFrame = (frame: unknown): void => {
    if (typeof frame !== 'object' || frame === null) {
      this.#onProtocolError(`unexpected message: ${JSON.stringify(frame)?.slice(0, 200)}`);
      return;
    }
    const message = frame as WireMessage;
    if (typeof message.run === 'number') this.#onRun(message.run, message.us, message.values);
    else if (typeof message.id === 'number') this.#onResult(message);
    else if (typeof message.claim === 'number') this.#claim = message.claim;
    else if (typeof message.fatal === 'string') this.#fatal = message.fatal;
    else this.#onProtocolError(`unexpected message: ${JSON.stringify(frame).slice(0, 200)}`);
  };

  readonly #onFrameError = (error: FrameError): void => {
    this.#onProtocolError(error.message);
  };

  /**
   * Plain results of consecutive tasks of the batch at the head, from the one with id `first`:
   * values, no output. A run never reaches past its batch.
   */
  #onRun(first: number, us: WireMessage['us'], values: WireMessage['values']): void {
    const batch = this.#inFlight[0];
    const task = batch?.tasks[batch.next];
    if (batch === undefined || task === undefined || task.id !== first) {
      this.#onProtocolError(`results from task ${first}, expected ${task?.id ?? 'none'}`);
      return;
    }
    if (
      !Array.isArray(values) ||
      !Array.isArray(us) ||
      us.length !== values.length ||
      values.length === 0 ||
      batch.next + values.length > batch.tasks.length
    ) {
      this.#onProtocolError(`a malformed run of results from task ${first}`);
      return;
    }
    const count = values.length;
    const counters = this.#config.counters;
    for (let i = 0; i < count; i++) {
      const next = batch.tasks[batch.next++]!;
      this.tasksRun++;
      if (next.kind !== 'ping') {
        counters.tasksRun++;
        counters.succeeded++;
      }
      const micros = us[i];
      next.resolve({
        value: values[i],
        stdout: '',
        stderr: '',
        durationMs: typeof micros === 'number' ? micros / 1000 : 0,
        workerId: this.id,
      });
    }
    if (batch.next === batch.tasks.length) this.#batchEnded(batch);
  }

  #onResult(message: WireMessage): void {
    const batch = this.#inFlight[0];
    const task = batch?.tasks[batch.next];
    if (batch === undefined || task === undefined || task.id !== message.id) {
      this.#onProtocolError(`result for task ${message.id}, expected ${task?.id ?? 'none'}`);
      return;
    }
    batch.next++;
    this.tasksRun++;
    const counters = this.#config.counters;
    if (task.kind !== 'ping') counters.tasksRun++;
    const durationMs = (typeof message.us === 'number' ? message.us : 0) / 1000;
    if (message.ok === true) {
      if (task.kind !== 'ping') counters.succeeded++;
      task.resolve({
        value: message.value,
        stdout: message.out ?? '',
        stderr: message.err ?? '',
        durationMs,
        workerId: this.id,
      });
    } else {
      this.#onTaskError(task, message, durationMs);
    }
    if (batch.next === batch.tasks.length) this.#batchEnded(batch);
  }

  /** Every task of the batch at the head has its result. */
  #batchEnded(batch: InFlight): void {
    this.#inFlight.shift();
    const now = performance.now();
    this.#lastBatchMs = now - Math.max(batch.sentAt, this.#lastDoneAt);
    this.#lastDoneAt = now;
    batch.onDone?.();
    if (this.#inFlight.length === 0) this.#emptied();
  }

  #emptied(): void {
    (this.#output as Partial<Socket> | undefined)?.unref?.();
    const onEmpty = this.#onEmpty;
    this.#onEmpty = undefined;
    onEmpty?.();
  }

  #onTaskError(task: Task, message: WireMessage, durationMs: number): void {
    const wire = wireError(message.error);
    const failures = this.#config.counters.failures;
    if (wire.kind === 'too_large') failures.tooLarge++;
    else failures[wire.kind]++;
    if (wire.kind === 'memory') this.retiring = true; // a fresh heap for the next task
    const output = { stdout: message.out ?? '', stderr: message.err ?? '', workerId: this.id, durationMs };
    const context = { timeoutMs: task.limitMs, memoryLimitMb: this.#config.memoryLimitMb };
    task.reject(errorFromWire(wire, output, context));
  }

  #onProtocolError(detail: string): void {
    this.#protocolError ||= detail;
    this.kill('protocol');
  }

  readonly #onSpawnError = (error: Error): void => {
    if (this.#process?.pid !== undefined) return; // after a spawn, 'exit' tells the rest
    this.#fatal = error.message;
    this.#finalize(null, null);
  };

  readonly #onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    this.#alive = false;
    // Results and stderr lines written just before the exit may still be in the pipes: read them
    // first. A child process the task forked may hold a pipe open, so do not wait forever.
    const pending = new Set<Readable>();
    for (const fd of [2, 4]) {
      const stream = this.#process?.stdio[fd] as Readable | null | undefined;
      if (stream != null && !stream.readableEnded && !stream.destroyed) pending.add(stream);
    }
    const finish = (): void => {
      clearTimeout(timer);
      for (const stream of pending) stream.off('end', onEnd).off('close', onEnd);
      this.#finalize(code, signal);
    };
    const onEnd = (): void => {
      for (const stream of pending) if (stream.readableEnded || stream.destroyed) pending.delete(stream);
      if (pending.size === 0) finish();
    };
    const timer = setTimeout(finish, 250);
    for (const stream of pending) stream.on('end', onEnd).on('close', onEnd);
    onEnd();
  };

  #exit(): WorkerExit {
    return {
      workerId: this.id,
      pid: this.#process?.pid,
      exitCode: this.#exitCode,
      signal: this.#exitSignal,
      stderrTail: this.#stderr.lines(),
    };
  }

  #finalize(code: number | null, signal: string | null): void {
    if (this.#finalized) return;
    this.#finalized = true;
    this.#alive = false;
    this.#exitCode = code;
    this.#exitSignal = signal;
    const exit = this.#exit();
    const batches = this.#inFlight;
    this.#inFlight = [];
    const { started, certain, unstarted } = exitFates(batches, this.#claim);
    if (this.#killReason === 'closed') {
      const closed = (): PoolClosedError =>
        new PoolClosedError('The pool was closed before this task finished');
      for (const task of [...started, ...unstarted]) this.#fail(task, closed());
    } else {
      const detail = this.#crashDetail();
      for (const [i, task] of started.entries()) {
        // Node killed the worker because the earliest task that may have been running overran.
        if (i === 0 && this.#killReason === 'timeout') this.#timeout(task);
        else this.#fail(task, new WorkerCrashedError(exit, certain, detail));
      }
      if (unstarted.length > 0) this.#config.handBack(unstarted);
    }
    this.#config.onExit(this, exit);
    for (const batch of batches) batch.onDone?.();
    this.#emptied();
    this.#markExited();
  }

  #crashDetail(): string {
    const detail = [
      this.#killReason === 'timeout' ? 'killed because a task of its batch overran its timeout' : '',
      this.#protocolError === '' ? '' : `protocol error: ${this.#protocolError}`,
      this.#fatal.trim(),
    ];
    return detail.filter((part) => part !== '').join('; ');
  }

  #timeout(task: Task): void {
    this.#config.counters.tasksRun++;
    this.#config.counters.failures.timeout++;
    task.reject(new TaskTimeoutError(task.limitMs, true, '', { workerId: this.id }));
  }

  #fail(task: Task, error: Error): void {
    const failures = this.#config.counters.failures;
    if (error instanceof PoolClosedError) failures.closed++;
    else if (error instanceof WorkerCrashedError) failures.crashed++;
    else if (error.name === 'SerializationError') failures.serialization++;
    else failures.tooLarge++;
    task.reject(error);
  }
}
