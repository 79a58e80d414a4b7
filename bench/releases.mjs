// Benchmark: the first level of the Releases tree (listReleases with empty records) on a
// repository with 10,000 tags and 100,000 commits, against raw `git for-each-ref` listing
// the same tags with the same format. Run with: node --import tsx bench/releases.mjs
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyRecords, listReleases } from '../src/core/releases/index.ts';
import { SimpleGitPort, TAG_FORMAT } from '../src/infra/git/simpleGitPort.ts';
import { ensureReleasesRepo, TAGS } from './lib/releases-repo.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 5;
const PATTERN = 'v*';

function rawForEachRef(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['for-each-ref', `--format=${TAG_FORMAT}`, `refs/tags/${PATTERN}`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git for-each-ref exited with ${code}`));
      const text = Buffer.concat(chunks).toString('utf8');
      let lines = 0;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
      resolve(lines);
    });
  });
}

async function time(fn) {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const { dir, generatedMs } = await ensureReleasesRepo(ROOT);
  if (generatedMs > 0) console.error(`generated ${dir} in ${(generatedMs / 1000).toFixed(1)} s`);
  const git = new SimpleGitPort(dir);
  const core = () => listReleases(git, { tagPattern: PATTERN, records: emptyRecords() });

  // Warm both paths (page cache, JIT) before measuring, then alternate so drift hits both
  // alike. The cold first run is printed too: it is what the first paint after activation pays.
  const cold = await time(core);
  const warm = cold.result;
  const rawCount = await rawForEachRef(dir);
  await core();
  await rawForEachRef(dir);
  if (warm.releases.length !== rawCount || rawCount !== TAGS) {
    throw new Error(`listed ${warm.releases.length} releases, git listed ${rawCount}, expected ${TAGS}`);
  }
  const coreMs = [];
  const rawMs = [];
  for (let i = 0; i < RUNS; i++) {
    rawMs.push((await time(() => rawForEachRef(dir))).ms);
    coreMs.push((await time(core)).ms);
  }
  const c = median(coreMs);
  const r = median(rawMs);
  console.error(`cold first run of the core: ${cold.ms.toFixed(1)} ms`);
  console.error(`core runs ms: ${coreMs.map((x) => x.toFixed(1)).join(' ')}; git runs ms: ${rawMs.map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`bench releases-first-level: ${c.toFixed(1)} ms ratio=${(c / r).toFixed(2)} vs git-for-each-ref target<=1.5`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
