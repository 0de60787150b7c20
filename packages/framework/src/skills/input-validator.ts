import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { type InputIssue, InputValidationError, InvalidSkillError } from '../errors.js';
import type { JsonSchema } from './manifest.js';

/** Checks one call's input; throws `InputValidationError`. Compiled once per loaded skill. */
export type InputValidator = (input: unknown) => Record<string, unknown>;

const AJV_OPTIONS: Options = {
  allErrors: true,
  // A schema typo must be reported to the skill author, not silently ignored...
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  // ...but `format` needs a plugin we do not ship: treat it as documentation.
  validateFormats: false,
  // Defaults and coercion would rewrite the caller's object behind its back.
  useDefaults: false,
  coerceTypes: false,
};

const MAX_ISSUES = 10;

/**
 * Compiles JSON Schemas for skill inputs. Draft-07 by default; a schema whose `$schema` names
 * draft 2019-09 or 2020-12 gets the 2020 dialect. One instance per registry.
 */
export class InputSchemaCompiler {
  #draft7: Ajv | undefined;
  #draft2020: Ajv2020 | undefined;

  compile(skill: string, file: string, schema: JsonSchema | undefined): InputValidator {
    if (schema === undefined) return (input) => checkObject(skill, input);
    const modern = typeof schema.$schema === 'string' && /20(19-09|20-12)/.test(schema.$schema);
    const ajv = modern ? this.#modern() : this.#classic();
    let validate: ValidateFunction;
    try {
      // A reloaded skill brings the same `$id` again, which Ajv would refuse as a duplicate.
      if (typeof schema.$id === 'string') ajv.removeSchema(schema.$id);
      validate = ajv.compile(schema);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new InvalidSkillError(skill, `not a valid JSON Schema: ${detail}`, file, 'input', {
        cause: error,
      });
    }
    // The validator keeps working without Ajv's cache entry; dropping it means that reloading a
    // skill again and again does not grow the cache for the life of the process.
    ajv.removeSchema(schema);
    return (input) => {
      const params = checkObject(skill, input);
      if (!validate(params)) throw new InputValidationError(skill, toIssues(validate.errors));
      return params;
    };
  }

  #classic(): Ajv {
    if (this.#draft7 === undefined) this.#draft7 = new Ajv(AJV_OPTIONS);
    return this.#draft7;
  }

  #modern(): Ajv2020 {
    if (this.#draft2020 === undefined) this.#draft2020 = new Ajv2020(AJV_OPTIONS);
    return this.#draft2020;
  }
}

/** Parameters travel as Python keyword arguments, so the input must be a plain object. */
function checkObject(skill: string, input: unknown): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    const kind = Array.isArray(input) ? 'an array' : typeof input;
    throw new InputValidationError(skill, [
      { path: '', message: `must be an object of named parameters, got ${kind}` },
    ]);
  }
  return input as Record<string, unknown>;
}

function toIssues(errors: readonly ErrorObject[] | null | undefined): InputIssue[] {
  const issues = (errors ?? []).slice(0, MAX_ISSUES).map((e) => {
    const missing =
      e.keyword === 'required' ? (e.params as { missingProperty?: string }).missingProperty : undefined;
    const extra =
      e.keyword === 'additionalProperties'
        ? (e.params as { additionalProperty?: string }).additionalProperty
        : undefined;
    if (missing !== undefined)
      return { path: `${e.instancePath}/${pointer(missing)}`, message: 'is required' };
    if (extra !== undefined) {
      return { path: `${e.instancePath}/${pointer(extra)}`, message: 'is not an allowed property' };
    }
    return { path: e.instancePath, message: e.message ?? `fails "${e.keyword}"` };
  });
  return issues.length > 0 ? issues : [{ path: '', message: 'is invalid' }];
}

function pointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
