// The Migrations tree on a 2,000-file corpus (mixed tools): what the view needs for its
// first paint (detect every migration and its real order, shallowly) against merely listing the
// same folders (a recursive readdir), in the same run; then how long until every
// migration also has its class (the tree fills them in after the first paint).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectMigrations } from '../src/core/migrations/index.ts';
import { classifyFromFiles } from '../src/core/classify/index.ts';
import { NodeFileSystem } from '../src/infra/files/nodeFileSystem.ts';
import { PgSqlParser } from '../src/infra/sql/pgParser.ts';

const root = new URL('..', import.meta.url).pathname;
const corpus = join(root, '.test-work/bench/classify-corpus');
if (!existsSync(corpus)) {
  // The classifier's benchmark generates the corpus (deterministically).
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/classify.mjs'], { cwd: root, stdio: 'ignore' });
  if (r.status !== 0 || !existsSync(corpus)) throw new Error('could not generate the migration corpus (bench/classify.mjs)');
}
const folders = ['db/migrations', 'prisma/migrations', 'goose', 'alembic/versions', 'knex/migrations', 'pgm/migrations'];
const configs = [
  { tool: 'golang-migrate', dir: 'db/migrations' },
  { tool: 'prisma', dir: 'prisma/migrations' },
  { tool: 'goose', dir: 'goose' },
  { tool: 'alembic', dir: 'alembic/versions' },
  { tool: 'knex', dir: 'knex/migrations' },
  { tool: 'node-pg-migrate', dir: 'pgm/migrations' },
];
let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

function listOnly() {
  let n = 0;
  for (const f of folders) n += readdirSync(join(corpus, f), { recursive: true }).length;
  return n;
}
// The first paint reads shallowly (names, Alembic headers); the full detection (every file
// read and analysed, content problems included) follows it in the background.
async function detectAll(shallow) {
  const fs = new NodeFileSystem(corpus);
  const groups = [];
  for (const c of configs) groups.push(...(await detectMigrations(fs, { ...c, shallow })));
  sample();
  return groups;
}
const firstPaint = () => detectAll(true);
const fullDetect = () => detectAll(false);
async function median(fn, runs = 11) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

// Both sides get the same three warm-up rounds (the listing is a few lines of JS that V8
// optimizes at once; detection is more code and needs a few calls), then a median of 11.
let groups;
for (let i = 0; i < 3; i++) {
  listOnly();
  await firstPaint();
  groups = await fullDetect();
}
const count = groups.reduce((n, g) => n + g.migrations.length, 0);
const listMs = await median(listOnly);
const paintMs = await median(firstPaint);
const fullMs = await median(fullDetect);
console.log(`bench migrations-tree-first-paint: ${paintMs.toFixed(1)} ms ratio=${(paintMs / listMs).toFixed(2)} vs listing(${listMs.toFixed(1)}ms,${count} migrations) target<=2.0`);
console.log(`bench migrations-tree-full-detect: ${fullMs.toFixed(1)} ms ratio=${(fullMs / paintMs).toFixed(2)} vs first-paint(${paintMs.toFixed(1)}ms) target<=20`);

const parser = new PgSqlParser();
const fs = new NodeFileSystem(corpus);
const t = performance.now();
await parser.parse('SELECT 1');
const all = groups.flatMap((g) => g.migrations);
for (let i = 0; i < all.length; i += 16) {
  await Promise.all(all.slice(i, i + 16).map((migration) => classifyFromFiles({ migration, fs, root: '.', parser })));
  sample();
}
const classesMs = performance.now() - t;
console.log(`bench migrations-tree-classes-complete: ${classesMs.toFixed(0)} ms ratio=${(classesMs / 2000).toFixed(2)} vs 2000ms-budget target<=1.0`);
console.log(`bench migrations-tree-peak-rss: ${(peakRss / 1024 / 1024).toFixed(1)} MiB ratio=${(peakRss / 1024 / 1024 / 512).toFixed(2)} vs 512MiB-budget target<=1.0`);
