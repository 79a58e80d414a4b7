// The rollback flow on a fleet environment in plain Node (issue 15): the same application
// layer the VS Code commands call, over four real sshd hosts and the real ansible-playbook,
// driven by the integration suite's scripted dialogs. Revert Last Deploy plans with planFleet,
// previews the fleet, runs the FleetRunner with a progress line per host and step; the
// Releases view's fleet line is read from the hosts; a host failing in batch 2 stops it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { runRollbackFlow, type RollbackFlowDeps } from '../../../src/app/rollbackFlow';
import { resumeFlow } from '../../../src/app/resumeFlow';
import { fleetPlanningDeps } from '../../../src/app/fleetFlow';
import { withFleetDbHost } from '../../../src/app/fleetPlanning';
import { execFileSync } from 'node:child_process';
import { fleetChangelogLines, proposeChangelogNote, renderPostmortem } from '../../../src/core/postmortem';
import { FleetStatus } from '../../../src/app/fleetStatus';
import { readFleetStatus } from '../../../src/cli/commands/fleetStatusLines';
import type { CliServices } from '../../../src/cli/services';
import { RollbackSessions } from '../../../src/app/sessions';
import { WorkspaceModel } from '../../../src/app/workspaceModel';
import { databaseSectionFor } from '../../../src/app/databasePlan';
import { FLEET_HOST_STEP } from '../../../src/core/fleet/fleetJournal';
import { RecordsStore } from '../../../src/core/releases/recordsStore';
import { RedactingRollbackEvents, redactingJournalStore, Redactor } from '../../../src/core/redact';
import type { RollbackEvent } from '../../../src/core/run/events';
import { AnsiblePlaybookRunner } from '../../../src/infra/ansible/ansiblePlaybook';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { NodeFileSystem } from '../../../src/infra/files/nodeFileSystem';
import { fileRecordsStorage } from '../../../src/infra/files/recordsFileStorage';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { NodeHttp } from '../../../src/infra/http';
import { commandRunners } from '../../../src/infra/runners';
import type { CommandRunner } from '../../../src/core/ports';
import { NodeLocalProcesses } from '../../../src/infra/shell/localProcesses';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { dbStepRuns, fleetInventory, fleetRollbackYml, fleetSshConfig, fleetUnavailable, startFleet, toolStatusRuns, type TestFleet } from '../../support/fleet';
import { RecordingPresenter } from '../app/harness';
import { freePort, healthOf, tempDir } from '../engine/helpers';
import { PLUGIN_ROOT } from './harness';

const why = fleetUnavailable();

function readdirSafe(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** How often ansible-inventory was started through these runners (each is a Python start-up), and where each runner was made for (each a connection). */
let inventoryReads = 0;
const runnersMade: string[] = [];
function countInventoryReads(runnerFor: (where: string, timeoutMs?: number) => CommandRunner): (where: string, timeoutMs?: number) => CommandRunner {
  return (where, timeoutMs) => {
    runnersMade.push(where);
    const r = runnerFor(where, timeoutMs);
    return { where: r.where, run: (command, options) => (command.startsWith('ansible-inventory ') && inventoryReads++, r.run(command, options)), dispose: () => r.dispose() };
  };
}

function services(root: string, fleet: TestFleet, work: string, dialogs: ScriptedDialogs) {
  const redactor = new Redactor();
  const log = { info: () => undefined, warn: () => undefined };
  const records = new RecordsStore(fileRecordsStorage(join(root, '.rollback/records.json')));
  const workspace = new WorkspaceModel({ fsPath: root }, { gitPort: new SimpleGitPort(root), records, log, fileSystem: () => new NodeFileSystem(root), parser: new PgSqlParser() });
  const sshConfig = join(work, 'ssh_config');
  writeFileSync(sshConfig, fleetSshConfig(fleet));
  const ssh = { knownHostsFile: fleet.knownHostsPath, sshConfigFile: sshConfig, connectTimeoutMs: 10_000 };
  const events = new RedactingRollbackEvents(redactor);
  const sessions = new RollbackSessions({
    root: { fsPath: root }, journals: redactingJournalStore(new FileJournalStore(join(root, '.rollback/journals')), redactor), events, prompter: () => dialogs,
    records, log, runnerFor: countInventoryReads(commandRunners(root, () => ssh, () => dialogs)), http: new NodeHttp(), processes: new NodeLocalProcesses(), redactor,
  });
  const status = new FleetStatus(workspace, sessions);
  let runs = 0;
  const flow: RollbackFlowDeps = {
    workspace, sessions,
    databaseSteps: async (input) => databaseSectionFor(workspace, (await workspace.config()).config, input),
    fleet: {
      ansible: () => new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: join(work, `ansible-${++runs}`), knownHostsFiles: [fleet.knownHostsPath], sshConfigFile: sshConfig, cwd: root }),
      afterRun: (env) => void status.read(env),
    },
  };
  const seen: RollbackEvent[] = [];
  events.on((e) => seen.push(e));
  return { workspace, sessions, flow, status, seen, ui: { prompter: dialogs, presenter: new RecordingPresenter(dialogs) }, dispose: () => { sessions.dispose(); workspace.dispose(); } };
}

describe('the rollback flow on a fleet (4 real sshd hosts, real ansible-playbook, no VS Code)', { skip: why, timeout: 600_000 }, () => {
  let tmp: { dir: string; cleanup(): void };
  let repo: AppRepo;
  let fleet: TestFleet | undefined;
  let fixtureYml: string;
  before(async () => {
    tmp = tempDir('fleet-flow');
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
    fixtureYml = readFileSync(join(repo.dir, 'rollback.yml'), 'utf8');
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
  });
  after(() => tmp.cleanup());

  async function setup(name: string) {
    fleet = await startFleet({ count: 4, sourceRepo: repo.dir });
    writeFileSync(join(repo.dir, 'rollback.yml'), fleetRollbackYml(fixtureYml, fleet, { healthTimeout: '4s' }));
    const work = join(tmp.dir, name);
    mkdirSync(work, { recursive: true });
    return { work };
  }

  test('Revert Last Deploy: planned by planFleet, previewed with the batches and the check run, run in batches with a progress line per host and step; every host on v1.3.0 with health 200, the database step once', async () => {
    const { work } = await setup('whole');
    const dialogs = new ScriptedDialogs();
    const s = services(repo.dir, fleet!, work, dialogs);
    try {
      const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
      assert.ok(outcome.fleetResult, `ran: ${outcome.stoppedBecause} ${dialogs.errors.join(' | ')}`);
      assert.equal(outcome.fleetResult.success, true, `${outcome.fleetResult.state}\n${outcome.fleetResult.journal.events.map((e) => e.message).join('\n')}`);
      const preview = s.ui.presenter.previews[0];
      assert.match(preview, /## Fleet: 4 hosts, 3 batches\n\n1\. \(canary\) `127\.0\.0\.11`\n2\. `127\.0\.0\.12`, `127\.0\.0\.13`\n3\. `127\.0\.0\.14`\n/);
      assert.match(preview, /### The playbook Ansible runs/);
      assert.match(preview, /127\.0\.0\.11 +: ok=/, 'the check run reached the canary');
      const first = fleet!.hosts[0];
      assert.ok(preview.includes(`- **Database steps:** once, on \`127.0.0.11\` (\`${first.destination}\`) in \`${first.path}\` (the first of rollback.yml's hosts; no \`db:\` is set), before the first batch's code switch.`), 'hosts: without db: the first host, said in the preview');
      // Every host's preflight, read before the confirmation: all pass, the current health reported (v1.4.0's api answers 500), not fatal.
      assert.match(preview, /## Preflight on every host, checked just now \(\d\d:\d\d:\d\d UTC\)\n\n\| Host \| Reachable, host key verified \| Path is the repository \| Has v1\.3\.0's commit \| HEAD is v1\.4\.0 \| Git can commit \| Lock free \| Health now \(reported\) \|/);
      for (const h of fleet!.hosts) assert.match(preview, new RegExp(`\\| \`${h.address.replace(/\./g, '\\.')}\` \\| ✅ \\| ✅ \\| ✅ \\| ✅ \\| ✅ \\| ✅ \\| ⚠️ api is already down: 500 \\(expects 200\\) \\|`), `host ${h.index}'s row`);
      assert.ok(preview.indexOf('## Preflight on every host') < preview.indexOf('## Fleet: 4 hosts'), 'the preflight comes before the fleet part');
      for (const h of fleet!.hosts) {
        const r = await healthOf(`http://127.0.0.1:${h.apiPort}/health`);
        assert.equal(r.status, 200, `host ${h.index}`);
        assert.match(r.body, /1\.3\.0/);
      }
      assert.deepEqual(fleet!.hosts.map(dbStepRuns), [1, 0, 0, 0], 'the database step ran once, on the first host');
      // The migration tool's own status command, once, on the db host, after the last batch; judged (version 4, its file there).
      assert.deepEqual(fleet!.hosts.map(toolStatusRuns), [1, 0, 0, 0], 'the status check ran once, on the db host');
      const status = outcome.fleetResult.journal.steps.find((x) => x.stepId === 'db-tool-status');
      assert.equal(status?.outcome, 'ok', JSON.stringify(status));
      assert.match(status?.detail ?? "", /version 4, its file is in db\/migrations/);
      assert.doesNotMatch(preview, /a fleet runs no check after its batches/);
      const reported = s.ui.presenter.reported;
      for (const host of ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14']) assert.ok(reported.some((m) => m.startsWith(`${host}: `) && / ok \(batch \d\)$/.test(m)), `a progress line for ${host}: ${reported.join(' | ')}`);
      const grid = outcome.fleetResult.grid;
      const oks = outcome.fleetResult.journal.events.filter((e) => e.kind === FLEET_HOST_STEP && (e.data as { cell: { outcome: string } }).cell.outcome === 'ok');
      assert.equal(oks.length, grid.hosts.length * grid.steps.length, 'every host × step ended ok in the journal');
      assert.ok(s.seen.some((e) => e.type === 'run-started') && s.seen.some((e) => e.type === 'run-finished' && e.success));
      await s.status.read();
      assert.deepEqual(s.status.current().map((l) => [l.text, l.mixed]), [['production: 4 hosts, all on v1.3.0', false]]);
      // rollback-pilot status on the fleet: what each host runs and its lock, over one connection per host.
      runnersMade.length = 0;
      const env = (await s.workspace.config()).config.environments.find((e) => e.name === 'production')!;
      const cli = await readFleetStatus({ workspace: s.workspace, sessions: s.sessions, root: repo.dir } as unknown as CliServices, env);
      assert.equal(cli.text, 'production: 4 hosts, all on v1.3.0');
      assert.deepEqual(cli.locks.map((l) => [l.host, l.lock, l.problem]), fleet!.hosts.map((h) => [h.address, undefined, undefined]));
      assert.deepEqual(fleet!.hosts.map((h) => runnersMade.filter((w) => w === h.destination).length), [1, 1, 1, 1], `runners made: ${runnersMade.join(', ')}`);
    } finally {
      s.dispose();
    }
  });

  test('inventory: without db: the database steps run once on the first host of the group as ansible-inventory resolves it (web-02 here, in its own tree), never on host \'\'; the preview says where', async () => {
    fleet = await startFleet({ count: 4, sourceRepo: repo.dir });
    // The team's inventory lists host 2 first: that is the group's first host, in Ansible's order.
    fleetInventory(fleet, join(repo.dir, 'inventories/production/hosts'), 'web', [2, 1, 3, 4]);
    writeFileSync(join(repo.dir, 'rollback.yml'), fleetRollbackYml(fixtureYml, fleet, { healthTimeout: '4s', inventory: { path: 'inventories/production', group: 'web' } }));
    const work = join(tmp.dir, 'inventory');
    mkdirSync(work, { recursive: true });
    const db = fleet.hosts[1];
    const dialogs = new ScriptedDialogs();
    const s = services(repo.dir, fleet, work, dialogs);
    try {
      const { config } = await s.workspace.config();
      const env = config!.environments.find((e) => e.name === 'production')!;
      assert.equal(env.host, '', 'the config layer names no host for an inventory without db: (a stand-in)');
      const deps = fleetPlanningDeps(s.workspace, s.sessions, s.flow.fleet!.ansible());
      // What the flow reads on the target before planning (what is deployed) is read on web-02, in its tree.
      const onDb = (await withFleetDbHost(config!, env, deps)).environments.find((e) => e.name === 'production')!;
      assert.deepEqual([onDb.host, onDb.path], [db.destination, db.path]);
      // Revert Last Deploy as the user runs it: the flow reads what is deployed there (not on host ''), plans with the real
      // database section (the fixture's 000005, its down step and status check), previews, runs.
      // The Releases view's read after the run (afterRun) is awaited too, so every ansible-inventory of the flow is counted.
      const viewReads: Promise<void>[] = [];
      const read = s.status.read.bind(s.status);
      s.status.read = (e?: string) => {
        const p = read(e);
        viewReads.push(p);
        return p;
      };
      inventoryReads = 0;
      const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
      await Promise.all(viewReads);
      assert.ok(outcome.fleetResult && outcome.plan, `ran: ${outcome.stoppedBecause} ${dialogs.errors.join(' | ')}`);
      assert.equal(outcome.fleetResult.success, true, `${outcome.fleetResult.state}\n${outcome.fleetResult.journal.events.map((e) => e.message).join('\n')}`);
      // Once for what is deployed and the preview's plan, once for the run start's rebuild (a changed inventory is seen), once for the view after the run.
      assert.deepEqual([inventoryReads, viewReads.length], [3, 1], 'ansible-inventory: the facts read before planning and the preview share one reading; the read after the run uses the run\'s hosts');
      const dbCommands = outcome.plan.steps.filter((x) => x.kind === 'database' || x.toolStatus).flatMap((x) => x.commands);
      assert.ok(dbCommands.length >= 2, 'the plan has its database steps and the status check');
      assert.deepEqual([...new Set(dbCommands.map((c) => `${c.where} ${c.cwd}`))], [`${db.destination} ${db.path}`], 'every database command on web-02, in its tree');
      const preview = s.ui.presenter.previews[0];
      assert.ok(preview.includes(`- **Database steps:** once, on \`web-02\` (\`${db.destination}\`) in \`${db.path}\` (the first host of group \`web\` in \`inventories/production\` as Ansible resolves it; no \`db:\` is set), before the first batch's code switch.`), preview);
      assert.match(preview, /## Fleet: 4 hosts, 3 batches\n\n1\. \(canary\) `web-02`\n2\. `web-01`, `web-03`\n3\. `web-04`\n/);
      assert.deepEqual(fleet.hosts.map(dbStepRuns), [0, 1, 0, 0], 'the database step ran once, on web-02');
      assert.deepEqual(fleet.hosts.map(toolStatusRuns), [0, 1, 0, 0], 'the status check ran once, on web-02');
    } finally {
      s.dispose();
      rmSync(join(repo.dir, 'inventories'), { recursive: true, force: true });
    }
  });

  test('a host moved off the release and a host locked by another run: the preview shows both in the host × check table, the flow refuses before asking to confirm, naming each host and check; nothing ran anywhere', async () => {
    const { work } = await setup('refused');
    const moved = fleet!.hosts[2];
    // A hotfix committed on the host itself: HEAD is neither v1.4.0 nor a commit with its code.
    execFileSync('runuser', ['-u', moved.user, '--', 'sh', '-c', "echo hotfix > HOTFIX.md && git add HOTFIX.md && git -c user.name=ops -c user.email=ops@web commit -qm 'hotfix on the host'"], { cwd: moved.path, stdio: 'ignore' });
    const locked = fleet!.hosts[3];
    const lockText = `${JSON.stringify({ who: 'sam@laptop', since: '2026-12-02T09:00:00Z', runId: 'rb-other', environment: 'production', where: locked.destination })}\n`;
    execFileSync('runuser', ['-u', locked.user, '--', 'sh', '-c', `mkdir -p .rollback/locks && printf '*\\n' > .rollback/.gitignore && cat > .rollback/locks/rollback.lock`], { cwd: locked.path, input: lockText });
    const dialogs = new ScriptedDialogs();
    const s = services(repo.dir, fleet!, work, dialogs);
    try {
      const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
      assert.equal(outcome.stoppedBecause, 'preflight refused', dialogs.errors.join(' | '));
      assert.ok(!dialogs.asked.includes('confirmPlan'), `not asked to confirm: ${dialogs.asked.join(', ')}`);
      assert.equal(dialogs.errors.length, 1, dialogs.errors.join(' | '));
      const [said] = dialogs.errors;
      assert.match(said, /^Nothing ran on production: the preflight refused on 2 of 4 hosts — /);
      assert.match(said, /127\.0\.0\.13: "HEAD is v1\.4\.0" fails — [^;]*the target is at [0-9a-f]{40}, not at v1\.4\.0/);
      assert.match(said, /127\.0\.0\.14: "Lock free" fails — held by sam@laptop since 2026-12-02T09:00:00Z \(run rb-other\)/);
      assert.doesNotMatch(said, /127\.0\.0\.1[12]:/);
      const preview = s.ui.presenter.previews[0];
      assert.match(preview, /> ⛔ The rollout will not start: 127\.0\.0\.13 fails "HEAD is v1\.4\.0"; 127\.0\.0\.14 fails "Lock free"\. /);
      // The revert strategy: git must be able to commit there (the operator's identity); the preflight stops at HEAD, so that and the health are not reached.
      assert.match(preview, /\| `127\.0\.0\.13` \| ✅ \| ✅ \| ✅ \| ⛔ \| · \| ✅ \| · \|/);
      assert.match(preview, /\| `127\.0\.0\.14` \| ✅ \| ✅ \| ✅ \| ✅ \| ✅ \| ⛔ \| ⚠️ api is already down: 500/);
      assert.match(preview, /\| `127\.0\.0\.11` \| ✅ \| ✅ \| ✅ \| ✅ \| ✅ \| ✅ \|/);
      assert.match(preview, /\n- 127\.0\.0\.13: "HEAD is v1\.4\.0" fails — [^\n]*the target is at [0-9a-f]{40}, not at v1\.4\.0[^\n]*plan again from what is deployed\n/, 'the whole why, below the table');
      // Nothing ran: no journal, no lock taken, the other run's lock as it was, every host still on v1.4.0, the database untouched.
      assert.deepEqual(readdirSafe(join(repo.dir, '.rollback/journals')).filter((f) => f.startsWith(outcome.plan!.id)), [], 'no journal of this run');
      for (const h of fleet!.hosts.slice(0, 3)) assert.ok(!existsSync(join(h.path, '.rollback/locks/rollback.lock')), `no lock on host ${h.index}`);
      assert.equal(readFileSync(join(locked.path, '.rollback/locks/rollback.lock'), 'utf8'), lockText);
      for (const h of fleet!.hosts) assert.equal((await healthOf(`http://127.0.0.1:${h.apiPort}/health`)).status, 500, `host ${h.index} untouched`);
      assert.deepEqual(fleet!.hosts.map(dbStepRuns), [0, 0, 0, 0]);
    } finally {
      s.dispose();
    }
  });

  test('a host failing its health check in batch 2 stops the rollout: the fleet state said exactly, the view says the mixed fleet; Resume offers the three choices with the fleet shown, and "Continue the rollout" runs only the unfinished hosts', async () => {
    const { work } = await setup('failing');
    const bad = fleet!.hosts[2];
    writeFileSync(join(bad.path, 'apps/api/port.json'), `${JSON.stringify({ port: await freePort() })}\n`);
    const dialogs = new ScriptedDialogs();
    const s = services(repo.dir, fleet!, work, dialogs);
    try {
      const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
      const r = outcome.fleetResult!;
      assert.equal(r.success, false);
      assert.equal(r.state, 'on v1.3.0: 127.0.0.11, 127.0.0.12, 127.0.0.13 (code switched; not done: health-api failed); still on v1.4.0: 127.0.0.14');
      // Why the failed one stopped, on that host, in its health check's words.
      assert.equal(r.failures.length, 1, r.failures.join(' | '));
      assert.match(r.failures[0], /^127\.0\.0\.13: health api: HTTP -1 after \d+ attempts: .*Connection refused/);
      assert.deepEqual(s.ui.presenter.unfinished.map((u) => u.message), [`Rollback of production did not finish: ${r.state}. ${r.failures[0]}`]);
      assert.equal((await healthOf(`http://127.0.0.1:${fleet!.hosts[3].apiPort}/health`)).status, 500, 'the last host is untouched');
      await s.status.read();
      const [line] = s.status.current();
      assert.equal(line.mixed, true);
      assert.equal(line.text, 'production: 4 hosts — 3 on v1.3.0, 127.0.0.14 on v1.4.0');

      // The post-mortem carries the fleet: batches, where each host ended, the grid, each host's timeline.
      const pm = renderPostmortem(r.journal);
      assert.match(pm, /\n## The fleet\n\n- \*\*Hosts:\*\* 4, in batches \[127\.0\.0\.11\] \[127\.0\.0\.12, 127\.0\.0\.13\] \[127\.0\.0\.14\]/);
      assert.ok(pm.includes(`- **Where each host ended:** ${r.state}`), pm);
      assert.match(pm, /\n- 127\.0\.0\.11: batch 1, \d\d:\d\d:\d\d–\d\d:\d\d:\d\d UTC done\n/);
      assert.match(pm, /\n- 127\.0\.0\.13: batch 2, \d\d:\d\d:\d\d–\d\d:\d\d:\d\d UTC failed \(health-api failed/);
      assert.match(pm, /\n- 127\.0\.0\.14: not reached, untouched\n/);
      assert.deepEqual(fleet!.hosts.map(toolStatusRuns), [0, 0, 0, 0], 'no status check while a host is not done');
      // The CHANGELOG note the product proposes carries each host's batch and outcome.
      const noteOf = (j: typeof r.journal, text: string) => proposeChangelogNote(text, { from: 'v1.4.0', to: 'v1.3.0', date: '2026-12-02', reason: j.plan.reason, environment: 'production', fleet: fleetChangelogLines(j) });
      const changelog = noteOf(r.journal, '# Changelog\n\n## [1.4.0]\n\n- Orders\n');
      assert.ok(changelog.includes([
        '- 2026-12-02: v1.4.0 was rolled back to v1.3.0 on production because api /health answers 500 since the deploy.',
        `  - Fleet of 4 hosts in 3 batches: ${r.state}`,
        '  - 127.0.0.11: batch 1, done',
        '  - 127.0.0.12: batch 2, done',
        '  - 127.0.0.13: batch 2, failed at health-api',
        '  - 127.0.0.14: not reached, untouched',
        '',
        '- Orders',
      ].join('\n')), changelog);

      // Stop here: nothing runs, the fleet state is said.
      const stopping = new ScriptedDialogs({ confirm: false });
      const s2 = services(repo.dir, fleet!, work, stopping);
      const stopped = await resumeFlow(s2.sessions, s2.ui, r.journal.runId, s2.flow.fleet);
      s2.dispose();
      assert.equal(stopped.stoppedBecause, 'stopped here');
      const asked = stopping.asked.filter((a) => a.startsWith('confirm:'));
      assert.deepEqual(asked, [`confirm:Rollout of production to v1.3.0: ${r.state}. Continue the rollout?`, `confirm:Rollout of production to v1.3.0: ${r.state}. Roll the failed hosts forward again?`]);
      assert.ok(stopping.infos.includes(`Nothing ran. The fleet stays as it is: ${r.state}.`), stopping.infos.join(' | '));
      const preview = s2.ui.presenter.previews[0];
      assert.match(preview, /## The fleet now\n\n/);
      assert.match(preview, /\| `127\.0\.0\.13` \| 2 \| .*\*\*failed\*\*/);
      assert.match(preview, /\| `127\.0\.0\.14` \| – \| · \|/);

      // The operator fixes host 3 and continues the rollout: host 3 and 4 only, nothing runs twice.
      writeFileSync(join(bad.path, 'apps/api/port.json'), `${JSON.stringify({ port: bad.apiPort })}\n`);
      execFileSync('runuser', ['-u', bad.user, '--', 'sh', '-c', 'sh scripts/build.sh api && sh scripts/deploy.sh api'], { cwd: bad.path, stdio: 'ignore' });
      const going = new ScriptedDialogs();
      const s3 = services(repo.dir, fleet!, work, going);
      const resumed = await resumeFlow(s3.sessions, s3.ui, r.journal.runId, s3.flow.fleet);
      s3.dispose();
      assert.equal(resumed.fleetResult?.success, true, resumed.fleetResult?.state ?? `${resumed.stoppedBecause} ${going.errors.join(' | ')}`);
      assert.match(resumed.fleetResult.journal.events.find((e) => e.kind === 'fleet-resume')!.message, /^Resume \(continue\): 127\.0\.0\.13, 127\.0\.0\.14; finished and left alone: 127\.0\.0\.11, 127\.0\.0\.12$/);
      for (const h of fleet!.hosts) assert.equal((await healthOf(`http://127.0.0.1:${h.apiPort}/health`)).status, 200, `host ${h.index}`);
      assert.deepEqual(fleet!.hosts.map(dbStepRuns), [1, 0, 0, 0], 'the database step is not run again');
      assert.deepEqual(fleet!.hosts.map(toolStatusRuns), [1, 0, 0, 0], 'the status check ran once the last host was done, on the db host');
      // Proposed again after the resume: the same note, its host lines brought up to date, nothing added twice.
      const updated = noteOf(resumed.fleetResult.journal, changelog);
      assert.equal(updated.split('was rolled back').length, 2, updated);
      assert.match(updated, /\n {2}- Fleet of 4 hosts in 3 batches: on v1\.3\.0: 127\.0\.0\.11, 127\.0\.0\.12, 127\.0\.0\.13, 127\.0\.0\.14\n {2}- 127\.0\.0\.11: batch 1, done\n {2}- 127\.0\.0\.12: batch 2, done\n {2}- 127\.0\.0\.13: batch 2, done\n {2}- 127\.0\.0\.14: batch \d, done\n\n- Orders\n/);
      assert.match(renderPostmortem(resumed.fleetResult.journal), /\n- \*\*Check that golang-migrate still works on production: [^\n]*\*\* — ok — `[^`]*`: version 4/);
    } finally {
      s.dispose();
    }
  });
});
