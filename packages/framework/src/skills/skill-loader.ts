import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InvalidSkillError, SkillNotFoundError } from '../errors.js';
import { closestMatches } from '../util/closest.js';
import { deepFreeze } from '../util/deep-freeze.js';
import type { InputSchemaCompiler, InputValidator } from './input-validator.js';
import { type JsonSchema, parseSkillJson, parseSkillMarkdown, type SkillManifest } from './manifest.js';
import { assertSkillName } from './skill-name.js';
import { resolveInside, skillFolderNames } from './skill-paths.js';

/** What `getSkill` and `listSkills` return: plain, frozen, JSON-serialisable. */
export interface SkillInfo {
  readonly name: string;
  readonly description: string;
  /** Absolute path of the skill folder, symlinks resolved. */
  readonly dir: string;
  /** Absolute path of the entry file, symlinks resolved. */
  readonly entry: string;
  /** The Python function that is called. */
  readonly function: string;
  /** Per-call timeout from the manifest, in ms. */
  readonly timeout: number | undefined;
  /** The `input` JSON Schema from the manifest. */
  readonly input: JsonSchema | undefined;
  readonly cacheable: boolean;
  /** Environment variable names the skill may see. */
  readonly env: readonly string[];
  /** Which manifest file was read: `SKILL.md` or `skill.json`. */
  readonly manifest: 'SKILL.md' | 'skill.json';
  /** SHA-256 of the manifest and the entry file: changes whenever either does. */
  readonly hash: string;
}

/** A skill ready to run: everything a warm call needs, computed once at load. */
export interface LoadedSkill {
  readonly info: SkillInfo;
  readonly validate: InputValidator;
  /** Paths whose `stat` tells whether the skill changed since it was loaded. */
  readonly watched: readonly string[];
  readonly signature: string;
}

const DEFINES = (fn: string) =>
  new RegExp(
    `^(?:async[ \\t]+def[ \\t]+${fn}[ \\t]*\\(|def[ \\t]+${fn}[ \\t]*\\(|${fn}[ \\t]*=|from[ \\t].*\\bimport\\b.*\\b${fn}\\b)`,
    'm',
  );

/**
 * Reads and checks one skill folder. Every refusal happens here, before any worker is used.
 * `root` must already be the real path of `skillsDir`.
 */
export async function loadSkill(
  root: string,
  name: string,
  compiler: InputSchemaCompiler,
): Promise<LoadedSkill> {
  assertSkillName(name);
  const dir = join(root, name);
  const realDir = await resolveInside(root, dir, name, `${name}/`);
  if (realDir === undefined || !(await stat(realDir)).isDirectory()) {
    throw new SkillNotFoundError(name, closestMatches(name, await skillFolderNames(root)));
  }
  const where = (path: string) => relative(root, path) || path;

  let manifestName: SkillInfo['manifest'] = 'SKILL.md';
  let manifestPath = await resolveInside(root, join(dir, manifestName), name, `${name}/SKILL.md`);
  if (manifestPath === undefined) {
    manifestName = 'skill.json';
    manifestPath = await resolveInside(root, join(dir, manifestName), name, `${name}/skill.json`);
  }
  if (manifestPath === undefined) {
    throw new InvalidSkillError(name, 'the folder has no SKILL.md or skill.json', `${name}/`);
  }
  const manifestFile = `${name}/${manifestName}`;
  // Each stat is taken before its file is read: a change that races the load is then seen by
  // the next check instead of being recorded as already loaded.
  const head = [dir, join(dir, manifestName)];
  const headSignature = await signatureOf(head);
  const manifestText = await readFile(manifestPath, 'utf8');
  const manifest =
    manifestName === 'SKILL.md'
      ? parseSkillMarkdown(name, manifestFile, manifestText)
      : parseSkillJson(name, manifestFile, manifestText);

  const { entryName, entryPath } = await findEntry(root, dir, name, manifest, manifestFile);
  const entrySignature = await signatureOf([join(dir, entryName)]);
  const entryText = await readFile(entryPath, 'utf8');
  const fn = pickFunction(name, manifest, entryText, where(entryPath));
  const validate = compiler.compile(name, manifestFile, manifest.input);
  const hash = createHash('sha256').update(manifestText).update('\0').update(entryText).digest('hex');

  const info: SkillInfo = Object.freeze({
    name,
    description: manifest.description,
    dir: realDir,
    entry: entryPath,
    function: fn,
    timeout: manifest.timeout,
    input: manifest.input === undefined ? undefined : deepFreeze(manifest.input),
    cacheable: manifest.cacheable,
    env: manifest.env,
    manifest: manifestName,
    hash,
  });
  const watched = [...head, join(dir, entryName)];
  return { info, validate, watched, signature: `${headSignature}|${entrySignature}` };
}

/**
 * A cheap fingerprint of the files a skill was loaded from. The folder itself is included so
 * that adding a SKILL.md or an index.py next to the files in use is noticed too.
 */
export async function signatureOf(paths: readonly string[]): Promise<string> {
  const stats = await Promise.all(paths.map((p) => stat(p).catch(() => undefined)));
  return stats.map((s) => (s ? `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}` : '-')).join('|');
}

async function findEntry(
  root: string,
  dir: string,
  name: string,
  manifest: SkillManifest,
  manifestFile: string,
): Promise<{ entryName: string; entryPath: string }> {
  const candidates = manifest.entry === undefined ? ['index.py', '__init__.py'] : [manifest.entry];
  for (const entryName of candidates) {
    const field = manifest.entry === undefined ? undefined : 'entry';
    const entryPath = await resolveInside(root, join(dir, entryName), name, `${name}/${entryName}`, field);
    if (entryPath !== undefined) return { entryName, entryPath };
  }
  throw manifest.entry === undefined
    ? new InvalidSkillError(name, 'the folder has no index.py or __init__.py (or set "entry")', `${name}/`)
    : new InvalidSkillError(name, `the entry file "${manifest.entry}" does not exist`, manifestFile, 'entry');
}

function pickFunction(name: string, manifest: SkillManifest, source: string, entryFile: string): string {
  if (manifest.function !== undefined) {
    if (DEFINES(manifest.function).test(source)) return manifest.function;
    throw new InvalidSkillError(
      name,
      `the entry defines no function "${manifest.function}"`,
      entryFile,
      'function',
    );
  }
  if (DEFINES('execute').test(source)) return 'execute';
  if (DEFINES('main').test(source)) return 'main';
  throw new InvalidSkillError(name, 'the entry defines neither execute() nor main()', entryFile, 'function');
}
