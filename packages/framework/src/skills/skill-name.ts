import { InvalidSkillError } from '../errors.js';

/** What a skill name may look like: it is also a folder name, so nothing that can move around. */
export const SKILL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** True for a valid skill name: it matches SKILL_NAME_PATTERN and holds no `..`. */
export function isSkillName(name: unknown): name is string {
  return typeof name === 'string' && SKILL_NAME_PATTERN.test(name) && !name.includes('..');
}

/**
 * Throws `InvalidSkillError` unless `name` is a valid skill name. The pattern already excludes
 * `/`, `\` and a leading dot; `..` inside a name is refused too, so that no name can ever be
 * read as a path.
 */
export function assertSkillName(name: unknown): asserts name is string {
  if (typeof name !== 'string') {
    throw new InvalidSkillError(String(name), `a skill name must be a string, got ${typeof name}`);
  }
  if (!isSkillName(name)) {
    throw new InvalidSkillError(
      name,
      `a skill name must match ${SKILL_NAME_PATTERN.source} and contain no "..", so it cannot be a path`,
    );
  }
}
