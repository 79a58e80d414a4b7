// The npm package (`bin`: rollback-pilot) as `npm pack` makes it from the project's manifest and
// .npmignore, with a build's leftovers and the sources beside the bundle; then the packed command
// line run from the unpacked tarball alone — no node_modules anywhere above it — on a real
// migration: the bundle must carry every runtime dependency and find its wasm.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { buildCli } from '../cli/harness';
import { tempDir } from '../engine/helpers';

const root = join(__dirname, '../../..');

test('npm pack ships the command line (bundle, wasm, Ansible plugins), the schema and the docs, nothing else; the unpacked package runs on its own', async () => {
  const cli = await buildCli();
  const tmp = tempDir('npm-pack');
  try {
    const project = join(tmp.dir, 'project');
    mkdirSync(project);
    for (const f of ['package.json', '.npmignore', 'README.md', 'CHANGELOG.md', 'LICENSE']) copyFileSync(join(root, f), join(project, f));
    const plugins = ['callback_plugins', 'filter_plugins'].flatMap((kind) => readdirSync(join(dirname(cli), 'ansible', kind)).map((f) => `dist/ansible/${kind}/${f}`));
    assert.ok(plugins.length >= 2, 'the build puts the Ansible plugins beside the bundle');
    const built: Record<string, string> = { 'dist/cli.js': join(dirname(cli), 'cli.js'), 'dist/cli-main.js': join(dirname(cli), 'cli-main.js'), 'dist/libpg-query.wasm': join(dirname(cli), 'libpg-query.wasm'), 'schema/rollback.schema.json': join(root, 'schema/rollback.schema.json') };
    for (const p of plugins) built[p] = join(dirname(cli), p.slice('dist/'.length));
    for (const [to, from] of Object.entries(built)) {
      mkdirSync(dirname(join(project, to)), { recursive: true });
      copyFileSync(from, join(project, to));
    }
    const leftovers = ['dist/cli.js.map', 'dist/cli-main.js.map', 'dist/extension.js', 'dist/webview/main.js', 'src/cli/main.ts', 'test/unit/x.test.ts', 'bench/cli-plan.mjs', 'media/rollback.svg', 'media/ansible/callback_plugins/rollback_pilot.py', 'dist/ansible/callback_plugins/__pycache__/rollback_pilot.cpython-311.pyc', '.test-work/x', 'rollback.yml', 'tsconfig.json'];
    for (const f of leftovers) {
      mkdirSync(dirname(join(project, f)), { recursive: true });
      writeFileSync(join(project, f), '');
    }
    const out = join(tmp.dir, 'out');
    mkdirSync(out);
    // --ignore-scripts: prepack (the production build) is not what is tested here; the bundle is.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Array<{ filename: string; files: Array<{ path: string }> }>;
    assert.deepEqual(packed[0].files.map((f) => f.path).sort(), ['CHANGELOG.md', 'LICENSE', 'README.md', ...plugins, 'dist/cli-main.js', 'dist/cli.js', 'dist/libpg-query.wasm', 'package.json', 'schema/rollback.schema.json'].sort());

    const unpacked = join(tmp.dir, 'installed');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', join(out, packed[0].filename), '-C', unpacked]);
    const bin = (JSON.parse(execFileSync('cat', [join(unpacked, 'package/package.json')], { encoding: 'utf8' })) as { bin: Record<string, string> }).bin['rollback-pilot'];
    assert.ok(bin, 'package.json names the rollback-pilot bin');
    const work = join(tmp.dir, 'work');
    mkdirSync(join(work, 'db/migrations'), { recursive: true });
    writeFileSync(join(work, 'db/migrations/000001_drop_status.up.sql'), 'ALTER TABLE orders DROP COLUMN status;\n');
    writeFileSync(join(work, 'db/migrations/000001_drop_status.down.sql'), 'ALTER TABLE orders ADD COLUMN status text;\n');
    execFileSync('git', ['init', '-q'], { cwd: work });
    const env = { PATH: process.env.PATH, HOME: tmp.dir, XDG_CACHE_HOME: join(tmp.dir, 'cache'), NODE_PATH: '' };
    const r = spawnSync(process.execPath, [join(unpacked, 'package', bin), 'analyze', 'db/migrations/000001_drop_status.up.sql'], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, `exit ${r.status}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /000001_drop_status\.up\.sql:1:1: destructive \[ban-drop-column\] Drops orders\.status/);
    assert.deepEqual(readdirSync(join(unpacked, 'package')).filter((n) => n === 'node_modules'), []);
  } finally {
    tmp.cleanup();
  }
});
