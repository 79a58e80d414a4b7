// The crash proof: a real child process runs a 10-step local rollback (real git repository,
// real /bin/sh, real journal files) and is killed with SIGKILL right before, and right after,
// every one of its journal saves. After each kill a fresh process resumes from the journal on
// disk. Every step's side effect must then have happened exactly once, and a step whose effect
// cannot be checked must have been asked about, never re-run silently.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { git } from './helpers';

// In memory where the machine has it: ~80 copies of the repository and ~3,000 fsyncs. A SIGKILL
// is a process crash, which fsync has nothing to do with; the file store's fsyncs still run.
const tmp = { dir: mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'rp-crash-')) };
// Retries: a child killed by the test's own timeout may still be writing there for a moment.
after(() => rmSync(tmp.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }));
const template = join(tmp.dir, 'template');
const bundle = join(tmp.dir, 'crashRun.cjs');
let badSha = '';

const COMMAND_STEPS = ['notify-start', 'preflight', 'stash', 'code-revert', 'config', 'build-api', 'deploy-api', 'push', 'notify-end'];
const CHECKED = new Set(['stash', 'code-revert', 'config', 'push']);

before(() => {
  // One bundle, run with plain node: a child starts in tens of milliseconds, so ~60 crash points fit the time bound.
  buildSync({ entryPoints: [join(__dirname, '../../support/crashRun.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, logLevel: 'error' });
  const repo = join(template, 'repo');
  mkdirSync(repo, { recursive: true });
  mkdirSync(join(template, 'host'));
  git(repo, 'init', '-q', '-b', 'main');
  const commit = (version: string) => {
    writeFileSync(join(repo, 'app.txt'), `${version}\n`);
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', `release ${version}`);
    git(repo, 'tag', `v${version}`);
  };
  commit('1.3.0');
  commit('1.4.0');
  badSha = git(repo, 'rev-parse', 'HEAD');
  writeFileSync(join(template, 'bad-sha'), badSha);
  // The operator's uncommitted work: the stash step must take it exactly once.
  writeFileSync(join(repo, 'notes.txt'), 'incident notes\n');
});

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function child(work: string, env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bundle], { env: { ...process.env, RP_WORK: work, RP_ASKED: join(work, 'asked.log'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    p.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function counts(work: string): Map<string, number> {
  const log = join(work, 'side-effects.log');
  const out = new Map<string, number>();
  if (!existsSync(log)) return out;
  for (const id of readFileSync(log, 'utf8').split('\n').filter(Boolean)) out.set(id, (out.get(id) ?? 0) + 1);
  return out;
}

interface PointResult {
  point: string;
  /** Steps whose side effect happened more than once without the operator having been asked. */
  rerunSilently: string[];
  /** Steps whose side effect happened other than exactly once. */
  notOnce: string[];
  asked: string[];
  /** Questions the operator answered "it took effect": a resume that does not ask would have run these a second time. */
  alreadyThere: number;
  /** Steps the journal on disk had as running/unknown after the kill. */
  interrupted: string[];
  problems: string[];
}

async function crashAndResume(n: number, when: 'before' | 'after'): Promise<PointResult> {
  const point = `${when} save ${n}`;
  const work = join(tmp.dir, `${when}-${n}`);
  cpSync(template, work, { recursive: true });
  const problems: string[] = [];
  const crash = await child(work, { RP_MODE: 'run', RP_CRASH_AT: String(n), RP_CRASH_WHEN: when });
  if (crash.signal !== 'SIGKILL') problems.push(`the crashing run was not killed (exit ${crash.code}): ${crash.stderr || crash.stdout}`);
  const file = join(work, 'journals', 'crash-run.json');
  const onDisk = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RollbackJournal) : undefined;
  const interrupted = onDisk?.steps.filter((s) => s.outcome === 'running' || s.outcome === 'unknown').map((s) => s.stepId) ?? [];
  const resumed = await child(work, { RP_MODE: 'resume', RP_CRASH_AT: '0' });
  if (resumed.code !== 0) problems.push(`the resume failed (exit ${resumed.code}, ${resumed.signal ?? ''}): ${resumed.stderr}`);
  const state = resumed.stdout.match(/^STATE (.*)$/m)?.[1];
  const final = state ? (JSON.parse(state) as { status: string; steps: Array<[string, string]> }) : undefined;
  if (final?.status !== 'succeeded') problems.push(`the resumed rollback ended ${final?.status}: ${state ?? resumed.stdout}`);
  const askedFile = join(work, 'asked.log');
  const answers = existsSync(askedFile) ? readFileSync(askedFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { stepId: string; answer: string }) : [];
  const asked = answers.map((a) => a.stepId);
  const alreadyThere = answers.filter((a) => a.answer === 'mark-done').length;
  const c = counts(work);
  const notOnce = COMMAND_STEPS.filter((id) => c.get(id) !== 1).map((id) => `${id} ran ${c.get(id) ?? 0}×`);
  const rerunSilently = COMMAND_STEPS.filter((id) => (c.get(id) ?? 0) > 1 && !asked.includes(id));
  for (const id of asked) {
    if (CHECKED.has(id)) problems.push(`asked about ${id}, whose check can tell`);
    if (!interrupted.includes(id)) problems.push(`asked about ${id}, which the journal on disk did not have as running or unknown`);
  }
  const repo = join(work, 'repo');
  const reverts = git(repo, 'rev-list', '--count', `${badSha}..HEAD`);
  if (reverts !== '1') problems.push(`${reverts} commits on top of the bad release (one revert expected)`);
  const stashes = git(repo, 'stash', 'list').split('\n').filter(Boolean).length;
  if (stashes !== 1) problems.push(`${stashes} stash entries (one expected)`);
  return { point, rerunSilently, notOnce, asked, alreadyThere, interrupted, problems };
}

// About 40 s on an idle two-core machine; the timeout only guards against a hang.
test('SIGKILL before and after every journal save of a 10-step rollback: resume runs every step exactly once, and asks about each step it cannot check', { timeout: 150_000 }, async (t) => {
  const started = Date.now();
  // How many saves a run makes, from a run that is not killed.
  const dry = join(tmp.dir, 'dry');
  cpSync(template, dry, { recursive: true });
  const clean = await child(dry, { RP_MODE: 'run', RP_CRASH_AT: '0' });
  assert.equal(clean.code, 0, clean.stderr);
  const saves = Number(clean.stdout.match(/^SAVES (\d+)$/m)?.[1]);
  assert.ok(saves >= 28, `a realistic plan saves its journal often: ${saves}`);
  assert.deepEqual([...counts(dry).values()], COMMAND_STEPS.map(() => 1));

  const points: Array<[number, 'before' | 'after']> = [];
  for (let n = 1; n <= saves; n++) points.push([n, 'before'], [n, 'after']);
  const results: PointResult[] = [];
  // Four at a time (each child mostly waits for its shell commands); each point is two processes one after the other.
  let next = 0;
  const worker = async () => {
    while (next < points.length && !t.signal.aborted) {
      const [n, when] = points[next++];
      results.push(await crashAndResume(n, when));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);

  const silently = results.flatMap((r) => r.rerunSilently.map((id) => `${r.point}: ${id}`));
  const notOnce = results.flatMap((r) => r.notOnce.map((x) => `${r.point}: ${x}`));
  const problems = results.flatMap((r) => r.problems.map((x) => `${r.point}: ${x}`));
  const askedTotal = results.reduce((k, r) => k + r.asked.length, 0);
  const interruptedTotal = results.reduce((k, r) => k + r.interrupted.length, 0);
  const alreadyThere = results.reduce((k, r) => k + r.alreadyThere, 0);
  const figures = `crash points tried: ${results.length} (${saves} saves × before/after); steps re-run without asking: ${silently.length}; steps not run exactly once: ${notOnce.length}; steps found running/unknown after a kill: ${interruptedTotal}; questions to the operator: ${askedTotal} (${alreadyThere} of them about a step whose effect was already there, which a resume without the question would have run twice); ${Math.round((Date.now() - started) / 1000)} s`;
  t.diagnostic(figures);
  console.log(`crash figures: ${figures}`);
  assert.equal(results.length, 2 * saves);
  assert.deepEqual(silently, [], 'never re-run without asking');
  assert.deepEqual(notOnce, [], 'every side effect exactly once');
  assert.deepEqual(problems, []);
  assert.ok(askedTotal > 0, 'some kills left a step without a check running: those were asked about');
});
