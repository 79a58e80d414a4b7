// What `vsce package` puts in the .vsix, asked of vsce itself (`vsce ls`) on a copy of the
// project's manifest and ignore file with a development build's leftovers beside the bundle.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../engine/helpers';

const root = join(__dirname, '../../..');

test('the .vsix carries the bundle, the wasm, the page, the fleet Ansible callback plugin, the schema and the docs; never source maps, sources, node_modules or the command line', () => {
  const tmp = tempDir('vsix-ls');
  try {
    for (const f of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE']) copyFileSync(join(root, f), join(tmp.dir, f));
    const files = [
      'dist/extension.js', 'dist/extension.js.map', 'dist/cli.js', 'dist/cli.js.map', 'dist/libpg-query.wasm', 'dist/webview/main.js', 'dist/webview/main.js.map', 'dist/webview/main.css',
      'src/extension.ts', 'schema/rollback.schema.json', 'media/rollback.svg', 'media/screenshots/releases.png', 'media/ansible/callback_plugins/rollback_pilot.py', 'media/ansible/callback_plugins/__pycache__/rollback_pilot.cpython-311.pyc', 'walkthrough/config.md', 'node_modules/ssh2/package.json', 'test/unit/x.test.ts',
    ];
    for (const f of files) {
      mkdirSync(dirname(join(tmp.dir, f)), { recursive: true });
      writeFileSync(join(tmp.dir, f), '');
    }
    const listed = execFileSync(join(root, 'node_modules/.bin/vsce'), ['ls', '--no-dependencies'], { cwd: tmp.dir, encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(listed, [
      'CHANGELOG.md', 'LICENSE', 'README.md',
      'dist/extension.js', 'dist/libpg-query.wasm', 'dist/webview/main.css', 'dist/webview/main.js',
      'media/ansible/callback_plugins/rollback_pilot.py', 'media/rollback.svg', 'package.json', 'schema/rollback.schema.json', 'walkthrough/config.md',
    ]);
  } finally {
    tmp.cleanup();
  }
});
