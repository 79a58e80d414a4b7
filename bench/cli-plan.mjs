// Benchmark: `rollback-pilot plan --json` as a user runs it (a new node process, the production
// bundle, Node start-up included) on the repository with 10,000 tags and 100,000 commits the
// releases bench builds, against raw `git for-each-ref` listing the same tags with the same
// format in the same repository, in the same run. The plan is for a local environment at the
// repository's own HEAD (the newest tag) back to the previous tag: the target is read (its HEAD,
// its tags), the releases listed, the plan built and its facts read, exactly as for a real plan.
// Run with: node --import tsx bench/cli-plan.mjs
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { TAG_FORMAT } from '../src/infra/git/simpleGitPort.ts';
import { ensureReleasesRepo, TAGS } from './lib/releases-repo.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, '.test-work', 'bench', 'cli-plan');
// Alternating runs, the median of each side: with 5, two slow runs of either side on a busy machine
// moved the figure (seen at the end of `npm run bench`: git runs 73 73 105 113 75 ms).
const RUNS = 11;
const TARGET = 2.0;

function gitEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };
}

/**
 * The command line as `npm run build -- --production` makes it (minified, no source map): the
 * loader dist/cli.js (src/cli/bin.ts) and the bundle dist/cli-main.js it runs through the V8
 * code cache, with the wasm beside them. The cache lives in the user's cache folder as it does
 * for a user: the first (cold) run below compiles and writes it, and is printed on its own.
 */
async function buildCli() {
  const dist = join(WORK, 'dist');
  mkdirSync(dist, { recursive: true });
  const common = { bundle: true, minify: true, sourcemap: false, logLevel: 'warning', platform: 'node', format: 'cjs', target: 'node20' };
  await build({
    ...common, entryPoints: [join(ROOT, 'src/cli/main.ts')], outfile: join(dist, 'cli-main.js'), external: ['cpu-features', '*.node'],
    define: { ROLLBACK_PILOT_VERSION: JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version) },
  });
  await build({ ...common, entryPoints: [join(ROOT, 'src/cli/bin.ts')], outfile: join(dist, 'cli.js'), banner: { js: '#!/usr/bin/env node' } });
  copyFileSync(join(ROOT, 'node_modules/libpg-query/wasm/libpg-query.wasm'), join(dist, 'libpg-query.wasm'));
  return join(dist, 'cli.js');
}

/**
 * A clone sharing the bench repository's objects (so the releases bench's repository stays as
 * it is), with every tag, and a rollback.yml naming one local environment at its own checkout.
 */
function planRepo(source) {
  const dir = join(WORK, 'repo');
  const marker = join(dir, '.git', 'rollback-pilot-bench');
  const spec = readFileSync(join(source, '.git', 'rollback-pilot-bench'), 'utf8');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== spec) {
    rmSync(dir, { recursive: true, force: true });
    execFileSync('git', ['clone', '-q', '--shared', source, dir], { env: gitEnv() });
    execFileSync('git', ['pack-refs', '--all'], { cwd: dir, env: gitEnv() });
    writeFileSync(marker, spec);
  }
  writeFileSync(join(dir, 'rollback.yml'), 'releases: { tags: "v*" }\nenvironments:\n  production:\n    host: local\n    path: .\n');
  return dir;
}

function run(cmd, args, cwd, check, env = gitEnv()) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${err}`));
      try {
        check(Buffer.concat(out).toString('utf8'));
      } catch (e) {
        return reject(e);
      }
      resolve(ms);
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const { dir: source, generatedMs } = await ensureReleasesRepo(ROOT);
  if (generatedMs > 0) console.error(`generated ${source} in ${(generatedMs / 1000).toFixed(1)} s`);
  const dir = planRepo(source);
  const cli = await buildCli();
  const forEachRef = () => run('git', ['for-each-ref', `--format=${TAG_FORMAT}`, 'refs/tags/v*'], dir, (text) => {
    const lines = text.split('\n').filter(Boolean).length;
    if (lines !== TAGS) throw new Error(`git for-each-ref listed ${lines} tags, expected ${TAGS}`);
  });
  const plan = () => run(process.execPath, [cli, 'plan', '--env', 'production', '--reason', 'bench: the newest release is bad', '--json'], dir, (text) => {
    const file = JSON.parse(text);
    if (!/^[0-9a-f]{64}$/.test(file.digest) || file.plan.to.name !== file.request.to.name || !file.plan.steps.length) throw new Error(`not a plan: ${text.slice(0, 200)}`);
  });
  // Warm both (page cache, the files the CLI reads), then alternate so drift hits both alike.
  const cold = await plan();
  await forEachRef();
  await plan();
  const planMs = [];
  const gitMs = [];
  for (let i = 0; i < RUNS; i++) {
    gitMs.push(await forEachRef());
    planMs.push(await plan());
  }
  const p = median(planMs);
  const g = median(gitMs);
  console.error(`cold first plan: ${cold.toFixed(0)} ms`);
  console.error(`plan runs ms: ${planMs.map((x) => x.toFixed(0)).join(' ')}; git runs ms: ${gitMs.map((x) => x.toFixed(0)).join(' ')}`);
  await nodeStartUp(dir);
  console.log(`bench cli-plan: ${p.toFixed(0)} ms ratio=${(p / g).toFixed(2)} vs git-for-each-ref target<=${TARGET.toFixed(1)}`);
}

/**
 * Context for the figure, not part of it: what Node's own start-up (`node -e 0`) costs in this
 * environment. With NODE_EXTRA_CA_CERTS set, Node 20 parses that bundle at every start,
 * whatever the program does (nodejs/node#40524): about 30 ms on the development machine,
 * paid by every run of the command line there and measured as part of it above.
 */
async function nodeStartUp(dir) {
  const bare = () => run(process.execPath, ['-e', '0'], dir, () => undefined);
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(await bare());
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let without = '';
  if (extra) {
    const env = gitEnv();
    delete env.NODE_EXTRA_CA_CERTS;
    const lean = [];
    for (let i = 0; i < RUNS; i++) lean.push(await run(process.execPath, ['-e', '0'], dir, () => undefined, env));
    without = `; NODE_EXTRA_CA_CERTS is set (${extra}): Node parses it at every start, ${median(lean).toFixed(0)} ms without it (nodejs/node#40524)`;
  }
  console.error(`node start-up alone (node -e 0): ${median(times).toFixed(0)} ms${without}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
