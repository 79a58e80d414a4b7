import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, MAX_CONFIG_BYTES, parseConfig } from '../../../src/core/config';

void test('YAML syntax error is reported at its position, and nothing else is checked', () => {
  const r = parseConfig('environments:\n  prod:\n    host: local\n   push: true\n', '/repo/rollback.yml');
  assert.equal(r.config, undefined);
  assert.equal(r.diagnostics.length, 1);
  const d = r.diagnostics[0];
  assert.equal(d.severity, 'error');
  assert.equal(d.message, 'YAML syntax error: All mapping items must start at the same column');
  assert.deepEqual([d.line, d.column, d.endLine, d.endColumn], [4, 1, 4, 2]);
});

void test('a tab used as indentation is reported on its line', () => {
  const r = parseConfig('environments:\n  prod:\n\thost: local\n', 'rollback.yml');
  assert.deepEqual(r.diagnostics.map((d) => [d.line, d.column, d.message]), [[3, 1, 'YAML syntax error: Tabs are not allowed as indentation']]);
});

void test('an unclosed flow sequence points at where the parser gave up', () => {
  const r = parseConfig('services:\n  api:\n    paths: [apps/api/**\nmigrations: {}\n', 'rollback.yml');
  assert.equal(r.config, undefined);
  assert.ok(r.diagnostics.length >= 1);
  assert.ok(r.diagnostics.every((d) => d.severity === 'error' && d.message.startsWith('YAML syntax error: ')));
  assert.deepEqual([r.diagnostics[0].line, r.diagnostics[0].column], [4, 1]);
});

void test('a duplicate key is a syntax error on the second key', () => {
  const r = parseConfig('releases: { tags: "v*" }\nreleases: { tags: "x*" }\n', 'rollback.yml');
  assert.deepEqual(r.diagnostics.map((d) => [d.line, d.column, d.message]), [[2, 1, 'YAML syntax error: Map keys must be unique']]);
});

void test('a file over 1 MiB is rejected at 1:1 without being parsed', () => {
  // Broken YAML on purpose: had the file been parsed, the syntax error would show instead.
  const huge = 'environments: [\n' + '#'.repeat(MAX_CONFIG_BYTES);
  const r = parseConfig(huge, '/repo/rollback.yml');
  assert.equal(r.config, undefined);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.line, d.column]), [['error', 1, 1]]);
  assert.match(r.diagnostics[0].message, /^rollback\.yml is 1\.0 MiB, over the 1 MiB limit/);
});

void test('an empty or comment-only file warns that the embedded defaults are used', () => {
  for (const text of ['', '\n\n', '# nothing here yet\n']) {
    const r = parseConfig(text, '/repo/rollback.yml');
    assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.line, d.column]), [['warning', 1, 1]], JSON.stringify(text));
    assert.match(r.diagnostics[0].message, /rollback\.yml is empty, so the embedded defaults are used/);
    assert.deepEqual(r.config, defaultConfig());
  }
});

void test('a file that is a list or a scalar says it must be a mapping of sections', () => {
  const r = parseConfig('- releases\n- environments\n', 'rollback.yml');
  assert.equal(r.config, undefined);
  assert.equal(r.diagnostics[0].message, 'rollback.yml must be a mapping of sections (releases, environments, services, migrations, notify, checklist), not a list');
  assert.deepEqual([r.diagnostics[0].line, r.diagnostics[0].column], [1, 1]);
});

void test('an alias bomb is refused instead of expanding', () => {
  let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 12; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  const r = parseConfig(text, 'rollback.yml');
  assert.equal(r.config, undefined);
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0].message, /^rollback\.yml could not be read: .*alias/i);
});

void test('defaultConfig is the embedded default: tags v*, target local, no services', () => {
  const c = defaultConfig();
  assert.equal(c.isDefault, true);
  assert.equal(c.releases.tags, 'v*');
  assert.deepEqual(c.environments.map((e) => [e.name, e.host, e.path, e.strategy]), [['local', 'local', '.', 'revert']]);
  assert.deepEqual(c.services, []);
  assert.deepEqual(c.migrations, {});
  c.environments.push({ ...c.environments[0], name: 'changed' });
  assert.equal(defaultConfig().environments.length, 1, 'each call returns a fresh object');
});

void test('Windows line endings and a byte-order mark do not shift positions', () => {
  const r = parseConfig('\ufeffnotify: {webhook: yes}\r\nenvironments:\r\n  prod:\r\n    host: local\r\n    push: no\r\n', 'rollback.yml');
  assert.deepEqual(r.diagnostics.map((d) => [d.line, d.column, d.endLine, d.endColumn]), [[1, 19, 1, 22], [5, 11, 5, 13]]);
});
