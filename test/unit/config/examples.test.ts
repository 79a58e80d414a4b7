// The configuration examples a user copies: the README's rollback.yml, the starter file and
// the schema's descriptions. A `migrations.sql` command feeds psql its statements on stdin,
// and `docker exec` without -i (--interactive) gives the container no stdin at all: psql then
// reads nothing and the mitigation silently does nothing. Every example must have -i.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseConfig } from '../../../src/core/config';
import { starterConfig } from '../../../src/core/config/starter';

/** `docker exec` commands in `text` that do not pass -i / --interactive (also inside -it, -ti). */
function dockerExecWithoutStdin(text: string): string[] {
  const found = [...text.matchAll(/docker exec((?: +[^\s"#]+)*?) +psql\b[^\n"#]*/g)];
  const interactive = (args: string): boolean => args.trim().split(/ +/).some((a) => a === '--interactive' || /^-[a-zA-Z]*i[a-zA-Z]*$/.test(a));
  return found.filter((m) => !interactive(m[1])).map((m) => m[0].trim());
}

test('the rule itself: docker exec without -i is found, with -i, -it, -ti or --interactive it is not', () => {
  assert.deepEqual(dockerExecWithoutStdin('sql: docker exec db psql -U app -d app'), ['docker exec db psql -U app -d app']);
  assert.deepEqual(dockerExecWithoutStdin('sql: docker exec -u postgres db psql -d app'), ['docker exec -u postgres db psql -d app']);
  for (const ok of ['docker exec -i db psql', 'docker exec -it db psql', 'docker exec -ti db psql', 'docker exec --interactive db psql', 'docker exec -u postgres -i db psql']) assert.deepEqual(dockerExecWithoutStdin(ok), [], ok);
});

test("the README's rollback.yml parses without errors, and its sql: command gives psql a stdin (docker exec -i)", () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /## Configuration: `rollback\.yml`\s*```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README.md has the rollback.yml example under "## Configuration: `rollback.yml`"');
  const parsed = parseConfig(block, 'rollback.yml');
  assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}: ${d.message}`), []);
  assert.deepEqual(dockerExecWithoutStdin(readme), [], 'README.md: use docker exec -i');
});

test("the README's second example (the keys beyond the basics) parses without errors or warnings", () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /The keys beyond the basics[^\n]*\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README.md has the second example after "The keys beyond the basics"');
  const parsed = parseConfig(block, 'rollback.yml');
  assert.deepEqual(parsed.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.line}:${d.column}: ${d.severity}: ${d.message}`), []);
});

test('the starter rollback.yml and the schema descriptions use docker exec -i', () => {
  const starter = starterConfig({ repoName: 'shop' } as Parameters<typeof starterConfig>[0]);
  assert.match(starter, /docker exec -i db psql/);
  assert.deepEqual(dockerExecWithoutStdin(starter), []);
  const schema = readFileSync('schema/rollback.schema.json', 'utf8');
  assert.match(schema, /docker exec -i db psql/);
  assert.deepEqual(dockerExecWithoutStdin(schema), []);
});
