import { encodeFrame } from '@mcp-exec/ipc-batch';
import { MessageTooLargeError } from './errors/message-too-large-error.js';
import { SerializationError } from './errors/serialization-error.js';
import type { Task } from './task.js';

/** One line for the worker, and the tasks it carries, in order. */
export interface Frame {
  readonly text: string;
  readonly tasks: readonly Task[];
}

/** The frames to send, and the tasks that cannot be sent with the error each one gets. */
export interface EncodedBatch {
  readonly frames: readonly Frame[];
  readonly rejected: readonly (readonly [Task, Error])[];
}

/**
 * Encodes a batch as one frame: one `JSON.stringify` for the whole batch on the hot path. Only if
 * that fails (a task whose parameters JSON cannot carry) or the frame is over `maxBytes` are the
 * tasks encoded one by one, so that one bad task fails alone and the rest go in frames that fit.
 */
export function encodeBatch(tasks: readonly Task[], maxBytes: number): EncodedBatch {
  let previous: Task | undefined;
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    task.follow(previous);
    previous = task;
  }
  try {
    const text = encodeFrame(tasks);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: most frames need no byte count at all.
    if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) {
      return { frames: [{ text, tasks }], rejected: [] };
    }
  } catch {
    // One of the tasks cannot be encoded: find it below.
  }
  return encodeOneByOne(tasks, maxBytes);
}

function encodeOneByOne(tasks: readonly Task[], maxBytes: number): EncodedBatch {
  const frames: Frame[] = [];
  const rejected: (readonly [Task, Error])[] = [];
  let parts: string[] = [];
  let group: Task[] = [];
  let bytes = 2;
  const close = (): void => {
    if (group.length === 0) return;
    frames.push({ text: `[${parts.join(',')}]\n`, tasks: group });
    parts = [];
    group = [];
    bytes = 2;
  };
  for (const task of tasks) {
    task.follow(undefined); // frames split anywhere: each task carries its own path
    let json: string;
    try {
      json = JSON.stringify(task);
    } catch (cause) {
      rejected.push([task, paramsError(task, cause)]);
      continue;
    }
    const size = Buffer.byteLength(json);
    if (size + 2 > maxBytes) {
      rejected.push([task, new MessageTooLargeError('request', size, maxBytes)]);
      continue;
    }
    if (bytes + size + 1 > maxBytes) close();
    parts.push(json);
    group.push(task);
    bytes += size + 1;
  }
  close();
  return { frames, rejected };
}

function paramsError(task: Task, cause: unknown): SerializationError {
  const root = task.kind === 'code' ? 'input' : 'params';
  let found: { path: string; typeName: string } | undefined;
  try {
    found = findUnencodable(task.kind === 'code' ? task.input : task.params, root);
  } catch {
    found = { path: root, typeName: 'nested too deeply' };
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  const typeName = found?.typeName ?? 'unknown';
  const path = found?.path ?? root;
  return new SerializationError(
    `The task's ${path} cannot be sent as JSON: ${path} is ${typeName} (${reason})`,
    {
      direction: 'params',
      typeName,
      path,
      cause,
    },
  );
}

/** Deeper than this, the search stops and reports the nesting itself (JSON.stringify fails near it). */
const MAX_DEPTH = 2_000;

/** The first place in `value` that `JSON.stringify` rejects: a bigint, a cycle, nesting too deep. */
function findUnencodable(
  value: unknown,
  path: string,
  seen = new Set<object>(),
): { path: string; typeName: string } | undefined {
  if (typeof value === 'bigint') return { path, typeName: 'bigint' };
  if (typeof value !== 'object' || value === null) return undefined;
  if (seen.has(value)) return { path, typeName: 'circular reference' };
  if (seen.size > MAX_DEPTH) return { path, typeName: 'nested too deeply' };
  seen.add(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = findUnencodable(item, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, seen);
    if (found !== undefined) return found;
  }
  seen.delete(value);
  return undefined;
}
