import { parse as parseYaml } from 'yaml';
import { InvalidSkillError } from '../errors.js';

/** A JSON Schema object, as written in a manifest's `input` field. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** The fields of `SKILL.md` front matter or `skill.json`, checked. */
export interface SkillManifest {
  readonly name: string;
  readonly description: string;
  /** Entry file relative to the skill folder; `undefined` means `index.py`, then `__init__.py`. */
  readonly entry: string | undefined;
  /** Function to call; `undefined` means `execute`, falling back to `main`. */
  readonly function: string | undefined;
  /** Per-call timeout in ms, if the skill sets one. */
  readonly timeout: number | undefined;
  readonly input: JsonSchema | undefined;
  readonly cacheable: boolean;
  readonly env: readonly string[];
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads the YAML front matter of a `SKILL.md`. */
export function parseSkillMarkdown(skill: string, file: string, text: string): SkillManifest {
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    throw new InvalidSkillError(
      skill,
      'SKILL.md must start with YAML front matter between "---" lines',
      file,
    );
  }
  let data: unknown;
  try {
    data = parseYaml(match[1] ?? '');
  } catch (error) {
    // Line numbers from the parser count from the front matter; +1 for the opening "---".
    const line = (error as { linePos?: [{ line: number }] }).linePos?.[0]?.line;
    const at = line === undefined ? '' : ` at line ${line + 1}`;
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InvalidSkillError(skill, `YAML syntax error${at}: ${detail}`, file, undefined, {
      cause: error,
    });
  }
  return checkManifest(skill, file, data);
}

/** Reads a `skill.json`. */
export function parseSkillJson(skill: string, file: string, text: string): SkillManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidSkillError(skill, `JSON syntax error: ${detail}`, file, undefined, { cause: error });
  }
  return checkManifest(skill, file, data);
}

function checkManifest(skill: string, file: string, data: unknown): SkillManifest {
  const fail = (field: string | undefined, reason: string): never => {
    throw new InvalidSkillError(skill, reason, file, field);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail(undefined, 'the manifest must be a mapping of fields');
  }
  const m = data as Record<string, unknown>;

  if (typeof m.name !== 'string') fail('name', `must be a string, got ${describe(m.name)}`);
  if (m.name !== skill) fail('name', `must equal the folder name "${skill}", got "${String(m.name)}"`);
  if (typeof m.description !== 'string' || m.description.trim() === '') {
    fail('description', `must be a non-empty string, got ${describe(m.description)}`);
  }
  if (m.entry !== undefined) {
    if (typeof m.entry !== 'string' || m.entry === '')
      fail('entry', `must be a file name, got ${describe(m.entry)}`);
    const entry = m.entry as string;
    if (entry.startsWith('/') || entry.startsWith('\\') || /^[A-Za-z]:/.test(entry)) {
      fail('entry', `must be relative to the skill folder, got "${entry}"`);
    }
    if (entry.split(/[\\/]/).includes('..'))
      fail('entry', `must stay inside the skill folder, got "${entry}"`);
  }
  if (m.function !== undefined && (typeof m.function !== 'string' || !IDENTIFIER.test(m.function))) {
    fail('function', `must be a Python identifier, got ${describe(m.function)}`);
  }
  if (m.timeout !== undefined && !(Number.isInteger(m.timeout) && (m.timeout as number) >= 1)) {
    fail('timeout', `must be an integer number of milliseconds >= 1, got ${describe(m.timeout)}`);
  }
  if (m.input !== undefined && (typeof m.input !== 'object' || m.input === null || Array.isArray(m.input))) {
    fail('input', `must be a JSON Schema object, got ${describe(m.input)}`);
  }
  if (m.cacheable !== undefined && typeof m.cacheable !== 'boolean') {
    fail('cacheable', `must be true or false, got ${describe(m.cacheable)}`);
  }
  if (m.env !== undefined) {
    if (!Array.isArray(m.env)) fail('env', `must be a list of variable names, got ${describe(m.env)}`);
    for (const name of m.env as unknown[]) {
      if (typeof name !== 'string' || !ENV_NAME.test(name)) {
        fail('env', `must list environment variable names, got ${describe(name)}`);
      }
    }
  }
  return {
    name: m.name as string,
    description: (m.description as string).trim(),
    entry: m.entry as string | undefined,
    function: m.function as string | undefined,
    timeout: m.timeout as number | undefined,
    input: m.input as JsonSchema | undefined,
    cacheable: (m.cacheable as boolean | undefined) ?? false,
    env: Object.freeze([...((m.env as string[] | undefined) ?? [])]),
  };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}
