// Bundles the extension host code into dist/extension.js, the command line into dist/cli-main.js (run by dist/cli.js)
// and the checklist page into dist/webview/. `vscode` is provided by the editor; ssh2's optional native add-ons
// (cpu-features, sshcrypto.node) are loaded in try/catch by ssh2 and stay out.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };
const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'cpu-features', '*.node'],
  },
];
// The command line (rollback-pilot, package.json bin): the same sources without the editor,
// runnable by node directly. It needs no vscode; the wasm is the same file beside it in dist/.
// dist/cli.js is only the loader (src/cli/bin.ts): it runs the bundle, dist/cli-main.js,
// through V8's code cache, since compiling the bundle was half of each command's start-up.
builds.push({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli-main.js',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['cpu-features', '*.node'],
  define: { ROLLBACK_PILOT_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
});
builds.push({
  ...common,
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli.js',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
if (existsSync('webview-ui/src/main.ts')) {
  builds.push({
    ...common,
    entryPoints: ['webview-ui/src/main.ts'],
    outfile: 'dist/webview/main.js',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  });
}

// A production build starts from an empty dist/: a development build's source maps left
// beside it would describe other code, and the .vsix must not carry them.
if (production) rmSync('dist', { recursive: true, force: true });

// libpg-query (the real PostgreSQL parser, compiled to wasm) loads libpg-query.wasm from
// the directory of the script that runs it: in the bundle, that is dist/.
mkdirSync('dist', { recursive: true });
copyFileSync('node_modules/libpg-query/wasm/libpg-query.wasm', 'dist/libpg-query.wasm');
// The command line's fleet runs point Ansible at its plugins beside the bundle (src/cli/ansiblePlugins.ts):
// the .py files only, as the .vsix ships them from media/ansible.
for (const kind of readdirSync('media/ansible').filter((d) => d.endsWith('_plugins'))) {
  mkdirSync(`dist/ansible/${kind}`, { recursive: true });
  for (const f of readdirSync(`media/ansible/${kind}`).filter((n) => n.endsWith('.py'))) copyFileSync(`media/ansible/${kind}/${f}`, `dist/ansible/${kind}/${f}`);
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // `node_modules/.bin/rollback-pilot` and a global install run it directly.
  chmodSync('dist/cli.js', 0o755);
}
