import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InputValidationError,
  InvalidSkillError,
  isInputValidationError,
  isInvalidSkillError,
  isSkillNotFoundError,
} from '../src/errors.js';
import { InputSchemaCompiler } from '../src/skills/input-validator.js';
import { loadSkill } from '../src/skills/skill-loader.js';
import { EXAMPLE_SKILLS, scratchDir, skillMd, writeFiles } from './helpers.js';

const examples = realpathSync(EXAMPLE_SKILLS);
const compiler = new InputSchemaCompiler();
const load = (name: string, root = examples) => loadSkill(root, name, compiler);

async function loadError(name: string, root = examples): Promise<unknown> {
  return load(name, root).then(
    () => expect.unreachable(`loading "${name}" should fail`),
    (error: unknown) => error,
  );
}

describe('loading the example skills', () => {
  it('reads a SKILL.md skill', async () => {
    const { info } = await load('hello');
    expect(info).toMatchObject({
      name: 'hello',
      dir: join(examples, 'hello'),
      entry: join(examples, 'hello', 'index.py'),
      function: 'execute',
      manifest: 'SKILL.md',
      cacheable: false,
      env: [],
      timeout: undefined,
    });
    expect(info.description).toMatch(/^Greets someone/);
    expect(info.input).toMatchObject({ type: 'object', properties: { name: { type: 'string' } } });
    expect(info.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.isFrozen(info)).toBe(true);
    expect(Object.isFrozen(info.input)).toBe(true);
    expect(JSON.parse(JSON.stringify(info))).toEqual({ ...info, timeout: undefined, input: info.input });
  });

  it('reads a skill.json skill with its timeout', async () => {
    const { info } = await load('heavy-task-skill');
    expect(info).toMatchObject({ manifest: 'skill.json', timeout: 60_000, function: 'execute' });
  });

  it('falls back to main() when there is no execute()', async () => {
    expect((await load('printer')).info.function).toBe('main');
  });

  it('reads cacheable', async () => {
    expect((await load('pure-sum')).info.cacheable).toBe(true);
  });

  it('names the file and the field of a malformed manifest', async () => {
    const error = await loadError('bad-manifest');
    expect(isInvalidSkillError(error)).toBe(true);
    expect(error).toMatchObject({ skill: 'bad-manifest', file: 'bad-manifest/SKILL.md', field: 'timeout' });
    expect((error as Error).message).toBe(
      'Invalid skill "bad-manifest" (bad-manifest/SKILL.md, field "timeout"): ' +
        'must be an integer number of milliseconds >= 1, got "soon"',
    );
  });
});

describe('names and paths', () => {
  it.each([
    '../hello',
    '/etc/passwd',
    'hello/../hello',
    '..',
    'a..b',
    'Hello',
    '',
    '.hidden',
    '-dash',
    'a'.repeat(65),
    'hello\0',
  ])('refuses %j before touching the file system', async (name) => {
    // A root that does not exist: any file system access would fail differently.
    const error = await loadError(name, '/nonexistent-root');
    expect(isInvalidSkillError(error)).toBe(true);
    expect((error as Error).message).toContain('a skill name must match');
  });

  it('refuses a name that is not a string', async () => {
    const error = await loadSkill(examples, 42 as unknown as string, compiler).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSkillError);
    expect((error as Error).message).toContain('must be a string, got number');
  });

  it('suggests close matches for a missing skill', async () => {
    const error = await loadError('helo');
    expect(isSkillNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({ skill: 'helo', suggestions: ['hello'] });
    expect((error as Error).message).toBe('Skill "helo" was not found; did you mean "hello"?');
    const heavy = await loadError('heavy-task');
    expect(heavy).toMatchObject({ suggestions: ['heavy-task-skill'] });
    const none = await loadError('zzzzzzzz');
    expect(none).toMatchObject({ suggestions: [] });
    expect((none as Error).message).toBe('Skill "zzzzzzzz" was not found');
  });

  it('treats a file where a folder should be as not found', async () => {
    const dir = scratchDir();
    writeFiles(dir.path, { 'plain-file': 'x' });
    expect(isSkillNotFoundError(await loadError('plain-file', realpathSync(dir.path)))).toBe(true);
    dir.remove();
  });
});

describe('malformed skills', () => {
  const dir = scratchDir();
  let root: string;
  const outside = scratchDir();

  beforeAll(() => {
    root = realpathSync(dir.path);
    writeFiles(outside.path, {
      'evil/SKILL.md': skillMd('name: evil\ndescription: outside'),
      'evil/index.py': 'def execute():\n    return 1\n',
      'evil.py': 'def execute():\n    return "escaped"\n',
    });
    const md = (front: string) => skillMd(front);
    const py = 'def execute(**kw):\n    return kw\n';
    writeFiles(root, {
      'no-front/SKILL.md': '# just markdown\n',
      'no-front/index.py': py,
      'yaml-error/SKILL.md': '---\nname: yaml-error\ndescription: [unclosed\n---\n',
      'yaml-error/index.py': py,
      'not-a-map/SKILL.md': md('- a\n- b'),
      'wrong-name/SKILL.md': md('name: other\ndescription: x'),
      'wrong-name/index.py': py,
      'no-description/SKILL.md': md('name: no-description'),
      'entry-up/SKILL.md': md('name: entry-up\ndescription: x\nentry: ../hello/index.py'),
      'entry-abs/SKILL.md': md('name: entry-abs\ndescription: x\nentry: /etc/passwd'),
      'entry-missing/SKILL.md': md('name: entry-missing\ndescription: x\nentry: main.py'),
      'no-entry/SKILL.md': md('name: no-entry\ndescription: x'),
      'no-manifest/index.py': py,
      'bad-json/skill.json': '{"name": "bad-json",',
      'bad-json/index.py': py,
      'json-array/skill.json': '[]',
      'no-function/SKILL.md': md('name: no-function\ndescription: x'),
      'no-function/index.py': 'def helper():\n    return 1\n',
      'missing-function/SKILL.md': md('name: missing-function\ndescription: x\nfunction: run'),
      'missing-function/index.py': py,
      'custom-function/SKILL.md': md(
        'name: custom-function\ndescription: x\nfunction: run\nentry: lib/impl.py',
      ),
      'custom-function/lib/impl.py': 'async def run(**kw):\n    return kw\n',
      'init-entry/SKILL.md': md('name: init-entry\ndescription: x'),
      'init-entry/__init__.py': 'from .impl import execute\n',
      'bad-schema/SKILL.md': md('name: bad-schema\ndescription: x\ninput:\n  type: nope'),
      'bad-schema/index.py': py,
      'bad-env/SKILL.md': md('name: bad-env\ndescription: x\nenv: [HOME, "not valid"]'),
      'bad-env/index.py': py,
      'bad-cacheable/skill.json': JSON.stringify({
        name: 'bad-cacheable',
        description: 'x',
        cacheable: 'yes',
      }),
      'bad-cacheable/index.py': py,
      'modern/SKILL.md': md(
        'name: modern\ndescription: x\ninput:\n  $schema: https://json-schema.org/draft/2020-12/schema\n' +
          '  $id: https://example.com/modern.json\n  type: object\n  properties:\n    a: { type: integer }\n' +
          '    pair: { type: array, prefixItems: [{ type: string }] }',
      ),
      'modern/index.py': py,
      'linked-entry/SKILL.md': md('name: linked-entry\ndescription: x\nentry: link.py'),
    });
    symlinkSync(join(outside.path, 'evil'), join(root, 'escape-dir'));
    symlinkSync(join(outside.path, 'evil.py'), join(root, 'linked-entry', 'link.py'));
    mkdirSync(join(root, 'escape-manifest'));
    symlinkSync(join(outside.path, 'evil', 'SKILL.md'), join(root, 'escape-manifest', 'SKILL.md'));
    // A symlink that stays inside skillsDir is fine.
    symlinkSync(join(root, 'custom-function'), join(root, 'alias'));
  });
  afterAll(() => {
    dir.remove();
    outside.remove();
  });

  it.each([
    ['no-front', 'no-front/SKILL.md', undefined, 'must start with YAML front matter'],
    ['yaml-error', 'yaml-error/SKILL.md', undefined, 'YAML syntax error at line'],
    ['not-a-map', 'not-a-map/SKILL.md', undefined, 'must be a mapping of fields'],
    ['wrong-name', 'wrong-name/SKILL.md', 'name', 'must equal the folder name "wrong-name", got "other"'],
    ['no-description', 'no-description/SKILL.md', 'description', 'must be a non-empty string, got nothing'],
    ['entry-up', 'entry-up/SKILL.md', 'entry', 'must stay inside the skill folder'],
    ['entry-abs', 'entry-abs/SKILL.md', 'entry', 'must be relative to the skill folder'],
    ['entry-missing', 'entry-missing/SKILL.md', 'entry', 'the entry file "main.py" does not exist'],
    ['no-entry', 'no-entry/', undefined, 'no index.py or __init__.py'],
    ['no-manifest', 'no-manifest/', undefined, 'has no SKILL.md or skill.json'],
    ['bad-json', 'bad-json/skill.json', undefined, 'JSON syntax error'],
    ['json-array', 'json-array/skill.json', undefined, 'must be a mapping of fields'],
    ['no-function', 'no-function/index.py', 'function', 'defines neither execute() nor main()'],
    ['missing-function', 'missing-function/index.py', 'function', 'defines no function "run"'],
    ['bad-schema', 'bad-schema/SKILL.md', 'input', 'not a valid JSON Schema'],
    ['bad-env', 'bad-env/SKILL.md', 'env', 'must list environment variable names, got "not valid"'],
    ['bad-cacheable', 'bad-cacheable/skill.json', 'cacheable', 'must be true or false, got "yes"'],
    ['escape-dir', 'escape-dir/', undefined, 'outside skillsDir'],
    ['escape-manifest', 'escape-manifest/SKILL.md', undefined, 'outside skillsDir'],
    ['linked-entry', 'linked-entry/link.py', 'entry', 'outside skillsDir'],
  ])('%s: InvalidSkillError naming %s', async (name, file, field, reason) => {
    const error = await loadError(name, root);
    expect(error).toBeInstanceOf(InvalidSkillError);
    expect(error).toMatchObject({ code: 'EINVALIDSKILL', skill: name, file, field });
    expect((error as Error).message).toContain(reason);
  });

  it('reports the YAML line in the file, counting the opening ---', async () => {
    const error = (await loadError('yaml-error', root)) as Error;
    expect(error.message).toMatch(/at line [34]\b/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('accepts an explicit function in a nested entry, and __init__.py with an import', async () => {
    expect((await load('custom-function', root)).info).toMatchObject({
      function: 'run',
      entry: join(root, 'custom-function', 'lib', 'impl.py'),
    });
    expect((await load('init-entry', root)).info.entry).toBe(join(root, 'init-entry', '__init__.py'));
  });

  it('follows a symlink that stays inside skillsDir', async () => {
    const error = await loadError('alias', root);
    // The manifest says "custom-function", the folder is "alias": refused by name, not by path.
    expect(error).toMatchObject({ field: 'name' });
  });

  it('compiles a 2020-12 schema, and again when the skill is reloaded with the same $id', async () => {
    const first = await load('modern', root);
    const again = await load('modern', root);
    expect(() => again.validate({ a: 1 })).not.toThrow();
    expect(() => first.validate({ a: 'x' })).toThrow(InputValidationError);
    // prefixItems only exists in 2020-12: draft-07 in strict mode would refuse the schema.
    expect(() => first.validate({ pair: [1] })).toThrow('input/pair/0 must be string');
  });
});

describe('input validation', () => {
  it('passes valid input through and treats a missing input as {}', async () => {
    const { validate } = await load('hello');
    const input = { name: 'Ada' };
    expect(validate(input)).toBe(input);
    expect(validate(undefined)).toEqual({});
  });

  it.each([
    ['hello', { name: 5 }, '/name', 'input/name must be string'],
    ['hello', { name: '' }, '/name', 'input/name must NOT have fewer than 1 characters'],
    ['hello', { nmae: 'x' }, '/nmae', 'input/nmae is not an allowed property'],
    ['heavy-task-skill', {}, '/n', 'input/n is required'],
    ['heavy-task-skill', { n: 1.5 }, '/n', 'input/n must be integer'],
    ['pure-sum', { numbers: [1, 'two'] }, '/numbers/1', 'input/numbers/1 must be number'],
    ['hello', [1, 2], '', 'input must be an object of named parameters, got an array'],
    ['hello', 'Ada', '', 'input must be an object of named parameters, got string'],
  ])('%s with %j: InputValidationError at %j', async (skill, input, path, message) => {
    const { validate } = await load(skill);
    let error: unknown;
    try {
      validate(input);
    } catch (e) {
      error = e;
    }
    expect(isInputValidationError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'EINPUTVALIDATION', skill, path });
    expect((error as Error).message).toContain(message);
  });

  it('lists every problem, not just the first', async () => {
    const { validate } = await load('hello');
    try {
      validate({ name: 5, extra: true });
      expect.unreachable();
    } catch (error) {
      expect((error as InputValidationError).issues.map((i) => i.path).sort()).toEqual(['/extra', '/name']);
      expect((error as Error).message).toContain('(and 1 more)');
    }
  });
});
