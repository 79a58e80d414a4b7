import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/core/config';

const yml = [
  'releases: { tags: "v*" }',
  'checklist:',
  '  remove: [feature-flag]',
  '  add:',
  '    - { id: check-queues, section: verification, label: "Queues drained", kind: robot }',
  '',
].join('\n');

test('checklist override mistakes land in Problems at their line and column, as warnings that keep the config', () => {
  const { config, diagnostics } = parseConfig(yml, 'rollback.yml');
  assert.ok(config, 'a bad checklist override does not withhold the config');
  const unknownId = diagnostics.find((d) => d.path === 'checklist.remove[0]');
  assert.ok(unknownId, JSON.stringify(diagnostics));
  assert.equal(unknownId.severity, 'warning');
  assert.deepEqual([unknownId.line, unknownId.column], [3, 12]);
  assert.match(unknownId.message, /feature-flag/);
  const kind = diagnostics.find((d) => d.path === 'checklist.add[0].kind');
  assert.ok(kind, JSON.stringify(diagnostics));
  assert.equal(kind.line, 5);
  assert.match(kind.message, /robot/);
});

test('a valid checklist override gives no diagnostics', () => {
  const { diagnostics } = parseConfig('checklist:\n  add:\n    - { id: check-queues, section: verification, label: "Queues drained", kind: manual }\n', 'rollback.yml');
  assert.deepEqual(diagnostics, []);
});
