// Generates (once, then reuses) the benchmark repository: 100,000 commits and 10,000 tags
// written by a single `git fast-import` stream, so no per-commit git process is spawned.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const COMMITS = 100_000;
export const TAGS = 10_000;
const EVERY = COMMITS / TAGS;
const START = Date.UTC(2015, 0, 1) / 1000;
const SPEC = `commits=${COMMITS} tags=${TAGS} v1`;

function gitEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };
}

/** Tag t: mostly releases, some prereleases, some non-SemVer names; two in three annotated. */
export function tagFor(t) {
  const major = Math.floor(t / 1000);
  const minor = Math.floor(t / 50) % 20;
  const patch = t % 50;
  let name = `v${major}.${minor}.${patch}`;
  if (t % 20 === 7) name = `vbuild-${t}`;
  else if (t % 25 === 3) name = `${name}-rc.1`;
  return { name, annotated: t % 3 !== 0 };
}

function* stream() {
  const who = 'Bench <bench@example.com>';
  let chunk = '';
  for (let i = 1; i <= COMMITS; i++) {
    const when = START + i * 600;
    const msg = `change ${i}`;
    const content = `${i}\n`;
    chunk +=
      `commit refs/heads/main\nmark :${i}\nauthor ${who} ${when} +0000\ncommitter ${who} ${when} +0000\n` +
      `data ${msg.length}\n${msg}\n` +
      (i > 1 ? `from :${i - 1}\n` : '') +
      `M 100644 inline f${i % 100}.txt\ndata ${content.length}\n${content}\n`;
    if (i % EVERY === 0) {
      const t = i / EVERY - 1;
      const { name, annotated } = tagFor(t);
      if (annotated) {
        const m = `Release ${name}`;
        chunk += `tag ${name}\nfrom :${i}\ntagger ${who} ${when + 60} +0000\ndata ${m.length}\n${m}\n`;
      } else {
        chunk += `reset refs/tags/${name}\nfrom :${i}\n\n`;
      }
    }
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk + 'done\n';
}

async function fastImport(dir) {
  const child = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: dir, env: gitEnv(), stdio: ['pipe', 'inherit', 'inherit'] });
  const closed = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited with ${code}`))));
  });
  for (const chunk of stream()) {
    if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  await closed;
}

/** Returns the repository path, generating it when absent or incomplete. */
export async function ensureReleasesRepo(root) {
  const dir = join(root, '.test-work', 'bench', 'releases-repo');
  const marker = join(dir, '.git', 'rollback-pilot-bench');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === SPEC) return { dir, generatedMs: 0 };
  const started = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env: gitEnv() });
  await fastImport(dir);
  // Real repositories with many tags have them packed (git gc does it); so does this one.
  execFileSync('git', ['pack-refs', '--all'], { cwd: dir, env: gitEnv() });
  writeFileSync(marker, SPEC);
  return { dir, generatedMs: performance.now() - started };
}
