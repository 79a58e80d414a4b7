import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { DURATION_PATTERN, parseConfig, parseDuration } from '../../../src/core/config';

const SCHEMA_PATH = join(__dirname, '../../../schema/rollback.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;

type Json = Record<string, unknown>;

/** Every property schema in the file, with a readable location. */
function* propertySchemas(node: unknown, where: string): Generator<[string, Json]> {
  if (typeof node !== 'object' || node === null) return;
  const n = node as Json;
  for (const [key, child] of Object.entries((n.properties as Json | undefined) ?? {})) {
    yield [`${where}.${key}`, child as Json];
    yield* propertySchemas(child, `${where}.${key}`);
  }
  for (const [key, child] of Object.entries((n.definitions as Json | undefined) ?? {})) {
    yield [`#/definitions/${key}`, child as Json];
    yield* propertySchemas(child, `#/definitions/${key}`);
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    if (typeof n[key] === 'object') yield* propertySchemas(n[key], `${where}[${key}]`);
  }
}

void test('the shipped schema is draft-07 and compiles in strict mode', () => {
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
  assert.equal(typeof ajv.compile(schema), 'function');
});

void test('every property and definition has a description (shown on hover in editors)', () => {
  const all = [...propertySchemas(schema, 'root')];
  assert.ok(all.length > 40, `walked only ${all.length} schemas`);
  const missing = all.filter(([, s]) => typeof s.description !== 'string' || s.description.trim() === '').map(([w]) => w);
  assert.deepEqual(missing, []);
});

void test('every object schema forbids unknown keys, except the free-form checklist and the named maps', () => {
  const open = [...propertySchemas(schema, 'root')]
    .filter(([, s]) => s.type === 'object' && s.additionalProperties !== false)
    .map(([w]) => w);
  // A fleet host's vars are named by the team (api_port, …), like environments and services; so are a check's
  // headers, its JSON expectations (JSON paths) and a smoke step's captures (the semantic checks judge those names).
  assert.deepEqual(open.sort(), ['#/definitions/checkHeaders', '#/definitions/environment.hosts[items].vars', '#/definitions/jsonExpectation', '#/definitions/smokeEntry.capture', 'root.checklist', 'root.environments', 'root.services']);
  assert.equal(schema.additionalProperties, false);
});

void test('the schema duration pattern and parseDuration accept exactly the same strings', () => {
  const schemaPattern = new RegExp(((schema.definitions as Json).duration as Json).pattern as string);
  const samples = ['500ms', '30s', '5m', '1h', '1m30s', '1h2m3s4ms', '1.5s', '0s', '30', '30 seconds', '5s5m', 'ms', '', '1.5ms', '-5s', '5M', '1h 30m', '.5s'];
  for (const s of samples) {
    assert.equal(schemaPattern.test(s), DURATION_PATTERN.test(s), s);
    assert.equal(parseDuration(s) !== undefined, schemaPattern.test(s), s);
  }
});

void test('the defaults the schema advertises to editors are the ones the parser fills in', () => {
  const defs = schema.definitions as Record<string, Json>;
  const env = (defs.environment.properties as Record<string, Json>);
  const health = ((defs.service.properties as Record<string, Json>).health.properties as Record<string, Json>);
  const notify = ((schema.properties as Record<string, Json>).notify.properties as Record<string, Json>);
  const r = parseConfig('environments:\n  e:\n    host: local\nservices:\n  s:\n    health: { url: "http://localhost/h" }\n', 'rollback.yml');
  assert.deepEqual(r.diagnostics, []);
  const e = r.config?.environments[0];
  const h = r.config?.services[0].health;
  assert.deepEqual(
    [e?.path, e?.branch, e?.strategy, e?.push, e?.configFiles, e?.commandTimeoutMs, h?.expect, h?.warmupMs, h?.timeoutMs, h?.intervalMs, r.config?.notify.webhook, r.config?.notify.escalateAtMinutes],
    [env.path.default, env.branch.default, env.strategy.default, env.push.default, env.configFiles.default, parseDuration(env.commandTimeout.default as string),
      health.expect.default, parseDuration(health.warmup.default as string), parseDuration(health.timeout.default as string), parseDuration(health.interval.default as string),
      notify.webhook.default, (notify.escalateAt.default as string[]).map((d) => (parseDuration(d) ?? NaN) / 60_000)],
  );
});

void test('the precompiled validator the extension ships is the shipped schema, compiled (else: npm run gen:validator)', async () => {
  const generator = '../../../scripts/gen-config-validator.mjs'; // a Node script without types: imported by path
  const { generateValidatorSource, GENERATED } = (await import(generator)) as { generateValidatorSource(): string; GENERATED: string };
  const onDisk = readFileSync(join(__dirname, '../../..', GENERATED), 'utf8');
  assert.ok(onDisk === generateValidatorSource(), `${GENERATED} is out of date with schema/rollback.schema.json: run npm run gen:validator`);
});
