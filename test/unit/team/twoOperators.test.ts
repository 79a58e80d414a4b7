// Two on-call engineers, two laptops, ONE production host (issue 11.2): two application
// stacks in plain Node, each with its own working folder (its own clone, its own local
// records and journals) and its own operator identity, both talking to the same real sshd
// host. Alice rolls production back through the app layer's flow; while her run is at work,
// Bob's Refresh reads her lock and her journal's copy on the host ("rollback of production by
// Alice …, step 4/6 (Deploy api), since 03:12 UTC"); afterwards Bob's stack sees the deploy record and the
// bad marks Alice wrote there, and Bob's Revert Last Deploy never picks a release she marked bad.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLog } from '../../../src/app/log';
import { runRollbackFlow, type FlowOutcome, type RollbackFlowDeps } from '../../../src/app/rollbackFlow';
import { RollbackSessions } from '../../../src/app/sessions';
import { lastTeamState, otherRollbackNotice, refreshTeamState } from '../../../src/app/teamState';
import { readRunningJournal } from '../../../src/app/teamJournal';
import { WorkspaceModel } from '../../../src/app/workspaceModel';
import { environmentCwd } from '../../../src/app/environments';
import type { Release } from '../../../src/core/releases';
import { RecordsStore } from '../../../src/core/releases/recordsStore';
import { Redactor } from '../../../src/core/redact';
import { RollbackEvents } from '../../../src/core/run';
import { copyingJournalStore } from '../../../src/core/run/journalCopy';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { NodeFileSystem } from '../../../src/infra/files/nodeFileSystem';
import { fileRecordsStorage } from '../../../src/infra/files/recordsFileStorage';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { NodeHttp } from '../../../src/infra/http';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { NodeLocalProcesses } from '../../../src/infra/shell/localProcesses';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import type { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { RecordingPresenter } from '../app/harness';
import { makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { sshdUnavailable, startSshd, TEST_USER, testSshRunner, type TestSshd } from '../../support/sshd';
import { git, tempDir } from '../engine/helpers';

const ALICE = 'Alice Ops <alice@shop.example>';
const BOB = 'Bob Oncall <bob@shop.example>';

describe('two operators, one production host (real sshd, the app layer in plain Node)', { skip: sshdUnavailable(), timeout: 240_000 }, () => {
  const tmp = tempDir('two-operators');
  let sshd: TestSshd;
  let repo: AppRepo;
  let host: string;
  const runners: SshCommandRunner[] = [];

  /** One laptop: its own folder, records, journals and identity; the host reached over the real sshd. */
  function laptop(root: string, operator: string, dialogs: ScriptedDialogs) {
    const records = new RecordsStore(fileRecordsStorage(join(root, '.rollback', 'records.json')));
    const workspace = new WorkspaceModel({ fsPath: root }, { gitPort: new SimpleGitPort(root), records, log: silentLog, fileSystem: () => new NodeFileSystem(root), parser: new PgSqlParser() });
    const runnerFor = (where: string) => {
      if (where === 'local') return new LocalCommandRunner({ cwd: root });
      const r = testSshRunner(sshd, root);
      runners.push(r);
      return r;
    };
    const journals = copyingJournalStore(new FileJournalStore(join(root, '.rollback', 'journals')), { runnerFor });
    const redactor = new Redactor();
    const sessions = new RollbackSessions({ root: { fsPath: root }, journals, events: new RollbackEvents(), prompter: () => dialogs, records, log: silentLog, runnerFor, redactor, http: new NodeHttp(), processes: new NodeLocalProcesses(), operator });
    const flow: RollbackFlowDeps = { workspace, sessions };
    const presenter = new RecordingPresenter(dialogs);
    return { root, records, workspace, sessions, flow, ui: { prompter: dialogs, presenter }, dialogs, runnerFor };
  }
  type Laptop = ReturnType<typeof laptop>;
  let alice: Laptop;
  let bob: Laptop;

  const rollbackYml = (where: string, path: string, gate: string) => `releases:
  tags: "v*"
environments:
  production:
    host: ${JSON.stringify(where)}
    path: ${JSON.stringify(path)}
    strategy: checkout
services:
  api:
    # The deploy waits (at most 60 s) for the test to let it go, so the other operator can look at the run while it is at work.
    deploy: 'i=0; while [ ! -e ${gate} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; echo deployed'
`;

  before(async () => {
    sshd = await startSshd();
    chmodSync(tmp.dir, 0o755);
    repo = await makeAppRepo(join(tmp.dir, 'alice'), { apiPort: 1, workerPort: 2 });
    host = join(tmp.dir, 'srv-app');
    execFileSync('git', ['clone', '-q', repo.dir, host], { stdio: 'ignore' });
    git(host, 'checkout', '-q', '--detach', 'v1.4.0');
    execFileSync('chown', ['-R', `${TEST_USER}:`, host], { stdio: 'ignore' });
    const bobRoot = join(tmp.dir, 'bob');
    execFileSync('git', ['clone', '-q', repo.dir, bobRoot], { stdio: 'ignore' });
    const where = `${sshd.user}@127.0.0.1:${sshd.port}`;
    for (const root of [repo.dir, bobRoot]) writeFileSync(join(root, 'rollback.yml'), rollbackYml(where, host, join(tmp.dir, 'go')));
    alice = laptop(repo.dir, ALICE, new ScriptedDialogs({ reason: 'api /health answers 500 since v1.4.0' }));
    bob = laptop(bobRoot, BOB, new ScriptedDialogs({ confirmPlan: false, reason: 'v1.3.0 is slow too' }));
  });
  after(async () => {
    writeFileSync(join(tmp.dir, 'go'), '');
    for (const r of runners) await r.dispose().catch(() => undefined);
    for (const l of [alice, bob]) l?.workspace.dispose();
    await sshd?.stop();
    tmp.cleanup();
  });

  const bobRefresh = async () => refreshTeamState(bob.records, bob.runnerFor, (await bob.workspace.config()).config, (env) => environmentCwd(env, bob.root));
  const release = async (l: Laptop, name: string): Promise<Release> => {
    l.workspace.invalidate(['releases']);
    return (await l.workspace.releases()).releases.find((r) => r.name === name)!;
  };

  test("Bob sees Alice's lock and her running rollback's progress; then the deploy record and the bad marks she wrote; his Revert Last Deploy skips what she marked bad", async () => {
    // Before anything: nobody is rolling back, and Bob's machine knows no bad release.
    assert.equal((await bobRefresh())?.inProgress, undefined);

    const aliceRun: Promise<FlowOutcome> = runRollbackFlow(alice.flow, alice.ui, { pickTarget: false, environment: 'production' });
    let seen = lastTeamState();
    for (let i = 0; i < 150 && !(seen?.inProgress?.step?.title === 'Deploy api' && seen.inProgress.step.outcome === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      seen = await bobRefresh();
    }
    const progress = seen?.inProgress;
    assert.ok(progress, `Bob sees a rollback in progress: ${JSON.stringify(seen)}`);
    assert.equal(progress.lock.who, ALICE, "the lock on the host is Alice's");
    assert.equal(progress.lock.environment, 'production');
    assert.match(progress.summary, /^rollback of production by Alice Ops <alice@shop\.example>, step (\d+)\/(\d+) \(Deploy api\), since \d\d:\d\d UTC$/);
    const [, n, total] = /step (\d+)\/(\d+)/.exec(progress.summary)!;
    assert.ok(Number(n) > 1 && Number(n) < Number(total), progress.summary);
    assert.equal(progress.journalFile, `${seen!.where}:${host}/.rollback/journals/${progress.lock.runId}.json`);
    assert.equal(existsSync(join(bob.root, '.rollback', 'journals', `${progress.lock.runId}.json`)), false, "Alice's journal is not on Bob's laptop: he read it on the host");
    // Bob opens her journal (Rollback: Open Running Rollback's Journal reads the copy and shows this text read-only), and his checklist says it.
    const opened = await readRunningJournal(bob.runnerFor, (await bob.workspace.config()).config.environments[0], host);
    assert.ok('text' in opened, JSON.stringify(opened));
    assert.match(opened.text, /^# Rollback of production by Alice Ops <alice@shop\.example> \(read-only\)\n/);
    assert.match(opened.text, /\n- \*\*From → to\*\*: v1\.4\.0 → v1\.3\.0 on /);
    assert.match(opened.text, /\n\d+\. ✅ Check .* is ready: .*\n/);
    assert.match(opened.text, /\n\d+\. ▶️ Deploy api — running \(\d\d:\d\d:\d\d UTC\)\n/);
    assert.equal(otherRollbackNotice(progress.lock.runId), undefined, "Alice's own checklist does not warn about her own run");
    assert.equal(otherRollbackNotice('rb-bob-earlier'), `Another rollback is in progress on ${seen!.where}: ${progress.summary} (read ${seen!.readAt.slice(11, 16)} UTC; Rollback: Open Running Rollback's Journal shows it).`);

    writeFileSync(join(tmp.dir, 'go'), '');
    const outcome = await aliceRun;
    assert.equal(outcome.result?.success, true, outcome.result?.state ?? outcome.stoppedBecause);
    assert.deepEqual([outcome.plan?.from.name, outcome.plan?.to.name], ['v1.4.0', 'v1.3.0']);
    assert.equal(git(host, 'rev-parse', 'HEAD'), repo.tags['v1.3.0']);
    // Her preview showed what the preflight finds on the host, before she confirmed.
    assert.match(alice.ui.presenter.previews[0], new RegExp(`## Preflight, checked just now \\(\\d\\d:\\d\\d:\\d\\d UTC\\)\\n\\n- \\*\\*Check ${seen!.where.replace(/[.]/g, '\\.')} is ready: .*srv-app at v1\\.4\\.0\\*\\* on \`${seen!.where.replace(/[.]/g, '\\.')}\`: ✅ passes\\n  - .*srv-app is a git work tree at ${repo.tags['v1.4.0']} \\(v1\\.4\\.0\\)`));
    // Alice also marks v1.3.0's predecessor bad: it broke the orders page last week.
    await alice.records.markBad({ sha: repo.tags['v1.2.0'], reason: 'orders page broken', at: new Date().toISOString(), by: ALICE });

    const after = await bobRefresh();
    assert.equal(after?.inProgress, undefined, 'the lock is gone once her run ended');
    assert.equal(otherRollbackNotice('rb-bob-earlier'), undefined);
    assert.deepEqual(await readRunningJournal(bob.runnerFor, (await bob.workspace.config()).config.environments[0], host), { none: `Nobody is rolling back production: ${seen!.where}:${host} holds no rollback lock.` });
    const onHost = JSON.parse(readFileSync(join(host, '.rollback', 'records.json'), 'utf8')) as { deploys: Array<{ sha: string; environment: string; tag?: string }>; bad: Array<{ sha: string; reason: string; by: string }> };
    assert.ok(onHost.deploys.some((d) => d.sha === repo.tags['v1.3.0'] && d.environment === 'production'), 'her deploy record is on the host');
    const v140 = await release(bob, 'v1.4.0');
    assert.ok(v140.markers.includes('bad'), JSON.stringify(v140));
    assert.match(v140.badReason ?? '', /^rolled back on production to v1\.3\.0: api \/health answers 500 since v1\.4\.0/);
    assert.ok(onHost.bad.some((b) => b.sha === repo.tags['v1.4.0'] && b.by === ALICE), 'the bad mark says Alice set it');
    assert.ok((await release(bob, 'v1.2.0')).markers.includes('bad'));
    assert.equal(existsSync(join(bob.root, '.rollback', 'records.json')), false, "none of this came from Bob's own files");

    // Bob's Revert Last Deploy: production runs v1.3.0 (the host says so); the target skips v1.2.0, which Alice marked bad.
    const planned = await runRollbackFlow(bob.flow, bob.ui, { pickTarget: false, environment: 'production' });
    assert.equal(planned.stoppedBecause, 'not confirmed');
    assert.deepEqual([planned.plan?.from.name, planned.plan?.to.name, planned.plan?.targetSource], ['v1.3.0', 'v1.1.0', 'previous-tag']);
    // Asked for the release Alice left, by name: refused, with her reason.
    const refused = await runRollbackFlow(bob.flow, bob.ui, { pickTarget: false, environment: 'production', target: v140 });
    assert.equal(refused.stoppedBecause, 'target is bad');
    assert.match(bob.dialogs.errors.at(-1) ?? '', /^v1\.4\.0 is marked bad \(rolled back on production to v1\.3\.0: /);
    // Roll Back to Release…: the releases Alice marked bad are not offered.
    const offered: string[][] = [];
    const picking = new ScriptedDialogs({ confirmPlan: false, release: (rs) => (offered.push(rs.map((r) => r.name)), rs[0]) });
    const bobPicking = laptop(bob.root, BOB, picking);
    await runRollbackFlow(bobPicking.flow, bobPicking.ui, { pickTarget: true, environment: 'production' });
    assert.deepEqual(offered, [['v1.1.0', 'v1.0.0']]);
    bobPicking.workspace.dispose();
  });
});
