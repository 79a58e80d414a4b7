// rollback.yml's followUp and decision sections: read into the config, and their mistakes
// located in Problems like every other template's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/core/config';

test('followUp and decision are read, durations in milliseconds', () => {
  const { config, diagnostics } = parseConfig('followUp:\n  ciStatus: gh api repos/{owner}/{repo}/commits/{sha}/status --jq .state\n  issue: gh issue create --title {title} --body-file -\n  timeout: 90s\ndecision:\n  investigateFor: 3m\n', 'rollback.yml');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config?.followUp, { ciStatus: 'gh api repos/{owner}/{repo}/commits/{sha}/status --jq .state', issue: 'gh issue create --title {title} --body-file -', timeoutMs: 90_000 });
  assert.deepEqual(config?.decision, { investigateMs: 180_000 });
});

test('a quoted placeholder in followUp.issue is an error at its place; an unknown key is named', () => {
  const quoted = parseConfig('followUp:\n  issue: gh issue create --title "{title}" --body-file -\n', 'rollback.yml');
  const d = quoted.diagnostics.find((x) => x.path === 'followUp.issue');
  assert.ok(d, JSON.stringify(quoted.diagnostics));
  assert.equal(d.severity, 'error');
  assert.equal(d.line, 2);
  assert.match(d.message, /\{title\} is inside double quotes/);
  const typo = parseConfig('followUp:\n  ciStatu: gh api x\n', 'rollback.yml');
  assert.match(typo.diagnostics.map((x) => x.message).join(' | '), /ciStatu/);
  assert.equal(typo.config, undefined);
});
