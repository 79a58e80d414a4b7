// What `vsce package` puts in the .vsix, asked of vsce itself (`vsce ls`) on a copy of the
// project's manifest and ignore file with a development build's leftovers beside the bundle.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../engine/helpers';

const root = join(__dirname, '../../..');

/** Every plugin the extension points Ansible at (media/ansible/<kind>_plugins/*.py), as the repository has them: each must ship. */
function ansiblePlugins(): string[] {
  const base = join(root, 'media/ansible');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.endsWith('_plugins'))
    .flatMap((d) => readdirSync(join(base, d.name)).filter((n) => n.endsWith('.py')).map((n) => `media/ansible/${d.name}/${n}`));
}

test('the .vsix carries the bundle, the wasm, the page, the fleet Ansible plugins (callback, filter), the schema and the docs; never source maps, sources, node_modules or the command line', () => {
  const tmp = tempDir('vsix-ls');
  try {
    for (const f of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE']) copyFileSync(join(root, f), join(tmp.dir, f));
    const files = [
      'dist/extension.js', 'dist/extension.js.map', 'dist/cli.js', 'dist/cli.js.map', 'dist/libpg-query.wasm', 'dist/webview/main.js', 'dist/webview/main.js.map', 'dist/webview/main.css',
      'src/extension.ts', 'schema/rollback.schema.json', 'media/rollback.svg', 'media/screenshots/releases.png', 'media/ansible/callback_plugins/__pycache__/rollback_pilot.cpython-311.pyc', 'media/ansible/filter_plugins/__pycache__/rollback_pilot.cpython-311.pyc', 'walkthrough/config.md', 'node_modules/ssh2/package.json', 'test/unit/x.test.ts',
      ...ansiblePlugins(),
    ];
    for (const f of files) {
      mkdirSync(dirname(join(tmp.dir, f)), { recursive: true });
      writeFileSync(join(tmp.dir, f), '');
    }
    const listed = execFileSync(join(root, 'node_modules/.bin/vsce'), ['ls', '--no-dependencies'], { cwd: tmp.dir, encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(listed, [
      'CHANGELOG.md', 'LICENSE', 'README.md',
      'dist/extension.js', 'dist/libpg-query.wasm', 'dist/webview/main.css', 'dist/webview/main.js',
      ...ansiblePlugins(), 'media/rollback.svg', 'package.json', 'schema/rollback.schema.json', 'walkthrough/config.md',
    ].sort());
    assert.ok(ansiblePlugins().some((p) => p.includes('callback_plugins/')) && ansiblePlugins().some((p) => p.includes('filter_plugins/')), ansiblePlugins().join(', '));
  } finally {
    tmp.cleanup();
  }
});
