// The production bundles are ASCII only. V8 keeps a script with a single non-ASCII character
// as a two-byte string: twice the memory for the 1.7 MB command line (and every fork of it
// copies that much more), a slower load and a slower hash of the bundle by its loader. esbuild
// escapes strings and identifiers itself, but not regular-expression literals, so one literal
// "…" in a regex (core/plan/sentence.ts) did it. Built here as scripts/build.mjs builds with
// --production (minified: no comments), in memory.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';

const root = join(__dirname, '../../..');

for (const [entry, external] of [
  ['src/cli/main.ts', ['cpu-features', '*.node']],
  ['src/cli/bin.ts', []],
  ['src/extension.ts', ['vscode', 'cpu-features', '*.node']],
] as const) {
  test(`${entry}, bundled and minified, is ASCII only`, async () => {
    const out = await build({ entryPoints: [join(root, entry)], bundle: true, minify: true, write: false, platform: 'node', format: 'cjs', target: 'node20', external: [...external], define: { ROLLBACK_PILOT_VERSION: '"0.0.0"' }, logLevel: 'silent' });
    const text = out.outputFiles[0].text;
    const at = text.search(/[^\x00-\x7f]/);
    assert.equal(at, -1, `non-ASCII ${JSON.stringify(text[at])} at ${at}: …${text.slice(Math.max(0, at - 80), at + 20)}… (write it as a \\u escape in the source)`);
  });
}
