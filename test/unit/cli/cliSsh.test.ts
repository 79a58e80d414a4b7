// rollback-pilot against a real production host: the test sshd on 127.0.0.1 with the fixture
// app deployed there (v1.4.0, whose api answers /health with 500), a real git checkout here,
// the built bundle as a real process. A whole rollback answered on a pseudo-terminal; the CI
// path (plan --json, then run --plan --digest without a terminal); the refusal without a
// terminal at the destructive step, and the same run resumed on a terminal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { sshdUnavailable, startSshd, type TestSshd } from '../../support/sshd';
import { healthOf } from '../engine/helpers';
import { buildCli, cliEnv, remoteFixture, runCli, type RemoteFixture } from './harness';
import { PtySession } from './pty';

const unavailable = process.getuid?.() !== 0 ? 'needs root (the test sshd runs a second user)' : sshdUnavailable();

const journalsIn = (workspace: string): RollbackJournal[] => {
  const dir = join(workspace, '.rollback/journals');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RollbackJournal) : [];
};
const dbLog = (f: RemoteFixture): string => (existsSync(join(f.remote, 'run/db.log')) ? readFileSync(join(f.remote, 'run/db.log'), 'utf8') : '');
const lockOn = (f: RemoteFixture): string | undefined => (existsSync(join(f.remote, '.rollback/locks/rollback.lock')) ? readFileSync(join(f.remote, '.rollback/locks/rollback.lock'), 'utf8') : undefined);

describe('rollback-pilot over SSH (real sshd, real git on the target, real services)', { skip: unavailable, timeout: 600_000 }, () => {
  let sshd: TestSshd;
  let cli: string;
  const fixtures: RemoteFixture[] = [];
  const sessions: PtySession[] = [];
  before(async () => {
    sshd = await startSshd();
    cli = await buildCli();
  });
  afterEach(() => {
    while (sessions.length) sessions.pop()!.kill();
    while (fixtures.length) fixtures.pop()!.cleanup();
  });
  after(async () => {
    await sshd?.stop();
  });
  const fixture = async (migrations: 'down' | 'none'): Promise<RemoteFixture> => {
    const f = await remoteFixture(sshd, { migrations });
    fixtures.push(f);
    assert.equal((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).status, 500, 'the bad release is deployed');
    return f;
  };
  const pty = (f: RemoteFixture, args: string[]): PtySession => {
    const s = new PtySession([process.execPath, cli, ...args, ...f.sshArgs], { cwd: f.workspace, env: cliEnv({ TERM: 'xterm' }) });
    sessions.push(s);
    return s;
  };

  test('a whole rollback answered on a pseudo-terminal: decision, reason, plan, the down step, the environment name typed; the lock and journal are visible meanwhile', async () => {
    const f = await fixture('down');
    const p = pty(f, ['run']);
    await p.expect('Roll back, roll forward, or investigate first?');
    await p.expect('Choose 1-3 [1]');
    p.type('1');
    // The runbooks' decision tree: the code, so the git rollback (with the bad release's migration undone first).
    await p.expect('What changed in the bad deploy?');
    await p.expect('Choose 1-4');
    p.type('1');
    await p.expect('Why are you rolling back?');
    p.type('api /health answers 500 since v1.4.0');
    // One environment: not asked. The preview is the extension's, on the terminal.
    await p.expect('# Rollback of production: v1.4.0 → v1.3.0');
    await p.expect('Run this plan? [y/N]');
    p.type('y');
    await p.expect('Run "Undo db/migrations/000005_orders_drop_legacy_status.up.sql (one down step)" on production?');
    await p.expect('Choose 1-3');
    p.type('1');
    await p.expect('Type "production" to run it');

    // Waiting at the question: the run holds the lock on the host and journals here, where VS Code (or another terminal) reads them.
    const journal = journalsIn(f.workspace);
    assert.equal(journal.length, 1);
    assert.equal(journal[0].status, 'running');
    assert.match(lockOn(f) ?? '', new RegExp(journal[0].runId));
    const status = await runCli(['status', ...f.sshArgs], { cwd: f.workspace });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`LOCKED: .*${journal[0].runId}`));

    p.type('prod');
    await p.expect('Type the environment\'s name exactly: production');
    p.type('production');
    assert.equal(await p.exitCode(), 0, p.output);
    assert.match(p.output, /Rollback finished: production is on v1\.3\.0/);
    assert.match(p.output, /Rolled back production to v1\.3\.0 on prod\./);

    const health = await healthOf(`http://127.0.0.1:${f.apiPort}/health`);
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { version: '1.3.0' }]);
    assert.match(dbLog(f), /^down 0*5 to 0*4$/m, 'the down step ran on the host');
    const done = journalsIn(f.workspace)[0];
    assert.equal(done.status, 'succeeded');
    assert.equal(done.plan.reason, 'api /health answers 500 since v1.4.0');
    assert.equal(lockOn(f), undefined, 'the lock was released');
    // The outcome is recorded as the extension records it: v1.4.0 bad, v1.3.0 deployed.
    const after = await runCli(['status', ...f.sshArgs], { cwd: f.workspace });
    assert.equal(after.code, 0, after.stderr);
    // The host now runs the revert commit it made, which this checkout does not have: the deploy records decide.
    assert.match(after.stderr, /Could not read what production \(prod\) runs: .* which is not a commit of this repository.*The marks below come from the deploy records\./);
    assert.match(after.stdout, /lock: free/);
    assert.match(after.stdout, /^v1\.3\.0 +[0-9a-f]{12} .*\[deployed, recorded\]/m);
    assert.match(after.stdout, /^v1\.4\.0 +[0-9a-f]{12} .*\[bad\].*\(bad: rolled back on production to v1\.3\.0: api \/health answers 500 since v1\.4\.0\)/m);
  });

  test('CI: plan --json, then run --plan --digest without a terminal runs exactly that plan; a wrong digest or a changed rollback.yml refuses (exit 3) and nothing runs', async () => {
    const f = await fixture('none');
    const planned = await runCli(['plan', '--env', 'production', '--reason', 'api 500 since v1.4.0', '--json', ...f.sshArgs], { cwd: f.workspace });
    assert.equal(planned.code, 0, planned.stderr);
    const file = JSON.parse(planned.stdout) as { kind: string; digest: string; plan: { id: string; steps: Array<{ destructive: boolean }> }; preview: string };
    assert.equal(file.kind, 'rollback-pilot-plan');
    assert.match(file.digest, /^[0-9a-f]{64}$/);
    assert.equal(file.plan.steps.filter((s) => s.destructive).length, 0);
    // The same rendered preview as without --json (and as the extension shows).
    const text = await runCli(['plan', '--env', 'production', '--reason', 'api 500 since v1.4.0', ...f.sshArgs], { cwd: f.workspace });
    assert.equal(text.code, 0, text.stderr);
    // Two plans, two run ids and creation times; everything else is the same text.
    const body = (s: string): string => s.trimEnd().replace(/rb-\d{8}T\d{6}-[0-9a-f]{6}/g, '<run>').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');
    const [a, b] = [body(text.stdout), body(file.preview)];
    const at = [...a].findIndex((ch, i) => ch !== b[i]);
    assert.ok(a === b, `the two previews differ at ${at}: ${JSON.stringify(a.slice(at - 80, at + 80))} vs ${JSON.stringify(b.slice(at - 80, at + 80))}`);
    const planFile = join(f.workspace, '..', 'plan.json');
    writeFileSync(planFile, planned.stdout);

    const wrong = await runCli(['run', '--plan', planFile, '--digest', '0'.repeat(64), ...f.sshArgs], { cwd: f.workspace });
    assert.equal(wrong.code, 3, wrong.stderr);
    assert.match(wrong.stderr, new RegExp(`--digest 0{64} is not the digest of the plan in ${planFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(${file.digest}\\): nothing ran`));

    const yml = join(f.workspace, 'rollback.yml');
    const original = readFileSync(yml, 'utf8');
    writeFileSync(yml, `${original}# edited after the plan was approved\n`);
    const stale = await runCli(['run', '--plan', planFile, '--digest', file.digest, ...f.sshArgs], { cwd: f.workspace });
    assert.equal(stale.code, 3, stale.stderr);
    assert.match(stale.stderr, /The plan changed since you previewed it, so nothing ran:\n- rollback\.yml changed since the preview/);
    assert.equal(journalsIn(f.workspace).length, 0, 'nothing was journaled');
    assert.equal((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).status, 500, 'nothing ran on the host');

    writeFileSync(yml, original);
    const otherEnv = await runCli(['run', '--env', 'staging', '--plan', planFile, '--digest', file.digest, ...f.sshArgs], { cwd: f.workspace });
    assert.equal(otherEnv.code, 3, otherEnv.stderr);
    assert.match(otherEnv.stderr, /--env staging, but .*plan\.json is a plan for production: nothing ran\./);
    // A CI script may keep passing --env: it names the plan's own environment.
    const ran = await runCli(['run', '--env', 'production', '--plan', planFile, '--digest', file.digest, ...f.sshArgs], { cwd: f.workspace });
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /Rollback finished: production is on v1\.3\.0/);
    const health = await healthOf(`http://127.0.0.1:${f.apiPort}/health`);
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { version: '1.3.0' }]);
    const journals = journalsIn(f.workspace);
    assert.deepEqual(journals.map((j) => [j.runId, j.status]), [[file.plan.id, 'succeeded']], 'the run is the plan approved, by its id');
  });

  test('snapshot in a deploy pipeline: the pre-deploy state written on the target and recorded here; status --json reads it back', async () => {
    const f = await fixture('none');
    // The host runs v1.4.0 (its checkout is the test user's: read the commit here, where it is the same).
    const head = execFileSync('git', ['rev-parse', 'v1.4.0^{commit}'], { cwd: f.workspace, encoding: 'utf8' }).trim();
    const snap = await runCli(['snapshot', ...f.sshArgs], { cwd: f.workspace });
    assert.equal(snap.code, 0, snap.stderr);
    assert.match(snap.stderr, /^Snapshot of production \(prod\): v1\.4\.0 on main\. Baseline: api UNHEALTHY \(500\), worker healthy\..* The next rollback returns here\.$/m);
    const onTarget = JSON.parse(readFileSync(join(f.remote, `.rollback/snapshots/${head}.json`), 'utf8')) as { sha: string; tag?: string };
    assert.deepEqual([onTarget.sha, onTarget.tag], [head, 'v1.4.0']);
    assert.equal((JSON.parse(readFileSync(join(f.workspace, '.rollback/records.json'), 'utf8')) as { snapshotSha?: string }).snapshotSha, head);
    const status = await runCli(['status', '--json', ...f.sshArgs], { cwd: f.workspace });
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout) as { environment: string; target: { sha: string; tags: string[] }; lock: unknown; releases: Array<{ name: string; markers: string[] }> };
    assert.deepEqual([s.environment, s.target.sha, s.target.tags, s.lock], ['production', head, ['v1.4.0'], null]);
    assert.deepEqual(s.releases.find((r) => r.name === 'v1.4.0')?.markers.includes('deployed'), true);
  });

  test('without a terminal the destructive step stops the run even with --yes (exit 4, nothing of it ran); resume on a terminal types the name and finishes it', async () => {
    const f = await fixture('down');
    const planned = await runCli(['plan', '--reason', 'api 500 since v1.4.0', '--json', ...f.sshArgs], { cwd: f.workspace });
    assert.equal(planned.code, 0, planned.stderr);
    const file = JSON.parse(planned.stdout) as { digest: string; plan: { id: string } };
    const planFile = join(f.workspace, '..', 'plan.json');
    writeFileSync(planFile, planned.stdout);

    const r = await runCli(['run', '--plan', planFile, '--digest', file.digest, '--yes', ...f.sshArgs], { cwd: f.workspace });
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stderr, /Refused: "Undo db\/migrations\/000005_orders_drop_legacy_status\.up\.sql \(one down step\)" is destructive: the environment name "production" must be typed on a terminal before it runs, and stdin is not one \(no flag skips this\)\. Nothing of it ran/);
    assert.match(r.stderr, new RegExp(`Continue with: rollback-pilot resume ${file.plan.id}`));
    assert.equal(dbLog(f), '', 'the down step did not run');
    const stopped = journalsIn(f.workspace)[0];
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.steps.find((s) => s.stepId === 'db-backup-check')?.outcome, 'ok', 'the steps before it ran');
    assert.equal((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).status, 500, 'the code step after it did not run');

    const p = pty(f, ['resume', file.plan.id]);
    await p.expect('Resume the rollback of production to v1.3.0?');
    await p.expect('Resume? [y/N]');
    p.type('y');
    await p.expect('Choose 1-3');
    p.type('1');
    await p.expect('Type "production" to run it');
    p.type('production');
    assert.equal(await p.exitCode(), 0, p.output);
    assert.match(dbLog(f), /^down 0*5 to 0*4$/m);
    const health = await healthOf(`http://127.0.0.1:${f.apiPort}/health`);
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { version: '1.3.0' }]);
    assert.equal(journalsIn(f.workspace)[0].status, 'succeeded');
  });
});
