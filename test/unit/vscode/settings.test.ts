import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readSettings, SETTING_DEFAULTS, SETTINGS_SECTION } from '../../../src/vscode/settings';

test('every setting package.json declares has the same default in settings.ts, and no other', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } };
  const declared = Object.fromEntries(Object.entries(pkg.contributes.configuration.properties).map(([k, v]) => [k.slice(SETTINGS_SECTION.length + 1), v.default]));
  assert.deepEqual(declared, { ...SETTING_DEFAULTS });
});

test('unset, empty or mistyped values fall back to the defaults; set ones are used', () => {
  assert.deepEqual(readSettings(() => undefined), { recordsFile: '.rollback/records.json', connectTimeoutMs: 20_000 });
  assert.deepEqual(readSettings((k) => ({ recordsFile: '  ', 'ssh.connectTimeoutSeconds': 'ten', 'ssh.configFile': 3 })[k]), { recordsFile: '.rollback/records.json', connectTimeoutMs: 20_000 });
  assert.deepEqual(
    readSettings((k) => ({ recordsFile: 'ops/records.json', 'ssh.knownHostsFile': '/etc/ssh/known', 'ssh.configFile': '~/.ssh/cfg', 'ssh.connectTimeoutSeconds': 5 })[k]),
    { recordsFile: 'ops/records.json', knownHostsFile: '/etc/ssh/known', sshConfigFile: '~/.ssh/cfg', connectTimeoutMs: 5_000 },
  );
});
