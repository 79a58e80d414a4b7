// Validates against the shipped JSON Schema and turns ajv's errors into messages that say
// what is expected, positioned on the offending key or value.
import type { ErrorObject, ValidateFunction } from 'ajv';
import schema from '../../../schema/rollback.schema.json';
// The schema compiled ahead of time (npm run gen:validator): no schema compilation at activation.
import validateConfig from './configValidator.generated';
import type { ConfigDiagnostic } from './types';
import type { PathSegment, Target, YamlLocator } from './locate';
import { DURATION_EXAMPLES } from './duration';
import { describeValue, didYouMean, humanPath, pointerToPath } from './wording';

export const configSchema: object = schema;

/** Compiled with verbose errors: the messages need the offending value and its schema (allowed keys, enum). */
export function configValidator(): ValidateFunction {
  return validateConfig;
}

const TYPE_PHRASE: Record<string, string> = {
  boolean: 'true or false',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  object: 'a mapping (key: value)',
  array: 'a list (e.g. [a, b])',
  null: 'empty',
};

export function durationMessage(path: readonly PathSegment[], value: unknown): string {
  return `${humanPath(path)}: ${describeValue(value)} is not a duration; write e.g. ${DURATION_EXAMPLES}`;
}

export function schemaDiagnostics(errors: readonly ErrorObject[], locator: YamlLocator): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const e of errors) {
    const made = describe(e);
    if (!made) continue;
    out.push({ severity: 'error', message: made.message, path: humanPath(made.path), ...locator.locate(made.path, made.target) });
  }
  return out;
}

interface Described {
  message: string;
  path: PathSegment[];
  target: Target;
}

function describe(e: ErrorObject): Described | undefined {
  const path = pointerToPath(e.instancePath);
  const where = humanPath(path);
  const marker: unknown = e.parentSchema?.$comment;
  const last = path[path.length - 1];

  // A bad map key is reported once, by the propertyNames error below.
  if (marker === 'name' || marker === 'headerName' || marker === 'captureName') return undefined;
  if (marker === 'duration') return { message: durationMessage(path, e.data), path, target: 'value' };
  const inSmokeExpect = last === 'status' && path[path.length - 2] === 'expect' && path[path.length - 4] === 'smoke';
  if (inSmokeExpect || (last === 'expect' && (path[path.length - 2] === 'health' || path[path.length - 3] === 'smoke') && ['minimum', 'maximum'].includes(e.keyword))) {
    return { message: `${where} must be an HTTP status from 100 to 599, got ${describeValue(e.data)}`, path, target: 'value' };
  }
  if (last === 'expect' && path[path.length - 3] === 'smoke' && e.keyword === 'type') {
    return { message: `${where} must be an HTTP status (e.g. 201) or { status, json, contains }, got ${describeValue(e.data)}`, path, target: 'value' };
  }
  if (last === 'expect' && path[path.length - 2] === 'health' && ['type', 'minimum', 'maximum'].includes(e.keyword)) {
    return { message: `${where} must be an HTTP status from 100 to 599, got ${describeValue(e.data)}`, path, target: 'value' };
  }

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const hint = didYouMean(key, allowed) || (allowed.length ? ` Allowed keys: ${allowed.join(', ')}.` : '');
      const scope = path.length === 0 ? 'at the top level' : `in ${where}`;
      return { message: `Unknown key "${key}" ${scope}.${hint}`, path: [...path, key], target: 'key' };
    }
    case 'required': {
      const missing = String(e.params.missingProperty);
      if (missing === 'host' && isEnvironment(path)) return needsHost(path);
      if (missing === 'url' && last === 'health') {
        return { message: `${where} needs a "url" to probe, e.g. http://localhost:3000/health`, path, target: 'key' };
      }
      return { message: `${where} needs "${missing}"`, path, target: 'key' };
    }
    case 'type': {
      // "production:" with nothing under it: what is missing is the host, not "a mapping".
      if (e.data === null && isEnvironment(path)) return needsHost(path);
      const expected = ([] as string[]).concat(e.params.type as string | string[]).map((t) => TYPE_PHRASE[t] ?? t).join(' or ');
      return { message: `${where} must be ${expected}, got ${describeValue(e.data)}`, path, target: 'value' };
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return { message: `${where} must be one of ${allowed.join(', ')}; got ${describeValue(e.data)}.${hint}`, path, target: 'value' };
    }
    case 'propertyNames': {
      const name = String(e.params.propertyName);
      if (last === 'headers') return { message: `${where}: "${name}" is not an HTTP header name (letters, digits and !#$%&'*+.^_\`|~-, no spaces or colons)`, path: [...path, name], target: 'key' };
      if (last === 'capture') return { message: `${where}: "${name}" cannot be read back as {${name}}; a captured name is a letter or "_", then letters, digits or "_"`, path: [...path, name], target: 'key' };
      return {
        message: `${where}: "${name}" is not a valid name; start with a letter, then use letters, digits, ".", "_" or "-" (at most 64)`,
        path: [...path, name],
        target: 'key',
      };
    }
    case 'minLength':
      if (last === 'host' && isEnvironment(path.slice(0, 2)) && path.length === 3) {
        return { message: `${where} must not be empty: write "local" or an SSH destination like deploy@prod-1`, path, target: 'value' };
      }
      return { message: `${where} must not be empty`, path, target: 'value' };
    case 'minProperties':
      return { message: `${where} needs at least one entry (or leave the section out)`, path, target: 'key' };
    default:
      return { message: `${where} ${e.message ?? 'is not valid'}`, path, target: 'value' };
  }
}

function isEnvironment(path: readonly PathSegment[]): boolean {
  return path.length === 2 && path[0] === 'environments';
}

function needsHost(path: PathSegment[]): Described {
  return { message: `Environment "${String(path[1])}" needs a "host": "local" or an SSH destination like deploy@prod-1`, path, target: 'key' };
}
