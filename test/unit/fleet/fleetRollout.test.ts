// Fleet rollbacks end to end (issue 15): four real sshd hosts on 127.0.0.11-14, each with its
// own user, working tree and services; the real planner; the product's FleetRunner taking the
// host keys, locks, preflights and the database step; Debian's real ansible-playbook running
// the host steps in batches through the product's callback plugin.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { makeAppRepo } from '../../fixtures/appRepo';
import { fleetUnavailable, startFleet, type TestFleet } from '../../support/fleet';
import { freePort, healthOf, tempDir } from '../engine/helpers';
import { dbRuns, eventsOn, fleetCase, fleetDeps, newRunner } from './harness';
import { parseConfig } from '../../../src/core/config';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import { fleetPreviewMarkdown } from '../../../src/core/fleet/preview';
import { toolStatusStep } from '../../../src/core/database/toolStatus';
import { checkFirstBatch, planFleet } from '../../../src/app/fleetPlanning';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { FLEET_HOST_STEP } from '../../../src/core/fleet/fleetJournal';
import type { AppRepo } from '../../fixtures/appRepo';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';

const why = fleetUnavailable();

describe('fleet rollback through Ansible (4 real sshd hosts, real ansible-playbook)', { skip: why, timeout: 600_000 }, () => {
  let tmp: { dir: string; cleanup(): void };
  let repo: AppRepo;
  let fleet: TestFleet | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];

  before(async () => {
    tmp = tempDir('fleet');
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
    await fleet?.stop();
    fleet = undefined;
  });
  after(() => tmp.cleanup());

  async function setup(name: string, overrides: Partial<Parameters<typeof fleetCase>[0]> = {}) {
    fleet = await startFleet({ count: 4, sourceRepo: repo.dir });
    const work = join(tmp.dir, name);
    const c = await fleetCase({ repo: repo.dir, testFleet: fleet, work, rollout: { batch: [1, '50%', '100%'], maxFailPercent: 0, pauseMs: 0 }, ...overrides });
    const deps = fleetDeps(fleet, work, c.journalsDir);
    cleanups.push(() => deps.dispose());
    for (const h of fleet.hosts) assert.equal((await healthOf(`http://127.0.0.1:${h.apiPort}/health`)).status, 500, `host ${h.index} runs the bad release`);
    return { ...c, deps, work };
  }

  const version = async (port: number) => {
    const r = await healthOf(`http://127.0.0.1:${port}/health`);
    return `${r.status} ${r.status ? (JSON.parse(r.body) as { version: string }).version : ''}`;
  };

  test('the whole fleet in batches [1, "50%", "100%"]: every host on v1.3.0 with health 200 and its JSON as expected (a secret header sent), the grid complete, the database step once', async () => {
    // The api's check with a secret header, a plain one and JSON expectations, judged by Ansible's uri and the product's filter.
    const s = await setup('whole', { alterPlan: (plan) => {
      const h = plan.steps.find((x) => x.id === 'health-api')!.health!;
      Object.assign(h, { headers: [{ name: 'X-Health-Token', secret: 'api-token' }, { name: 'X-Release', value: '{to}' }], json: [{ path: 'version', equals: '1.3.0' }] });
    } });
    assert.deepEqual(s.fleet.batches, [['127.0.0.11'], ['127.0.0.12', '127.0.0.13'], ['127.0.0.14']]);
    // Its secret not set: refused before anything, on any host, runs.
    const refused = await newRunner(s.deps).run({ plan: s.plan, fleet: s.fleet, preflights: s.preflights });
    assert.equal(refused.success, false);
    assert.match(refused.journal.events.find((e) => e.kind === 'fleet-headers-refused')?.message ?? '', /^Nothing ran anywhere: Health of api: \S+ → 200: the X-Health-Token header needs the secret "api-token", which is not set/);
    assert.ok(!refused.journal.events.some((e) => e.kind === 'lock-acquired' || e.kind === 'ansible-started'));
    for (const h of fleet!.hosts) assert.equal((await healthOf(`http://127.0.0.1:${h.apiPort}/health`)).status, 500, `host ${h.index} untouched`);
    const result = await newRunner({ ...s.deps, secret: (name) => Promise.resolve(name === 'api-token' ? 'tok-Secret-51c3a0' : undefined) }).run({ plan: s.plan, fleet: s.fleet, preflights: s.preflights });
    assert.ok(!JSON.stringify(result.journal).includes('tok-Secret-51c3a0'), 'the secret is not in the journal');
    assert.equal(result.success, true, `${result.state}\n${result.journal.events.map((e) => e.message).join('\n')}`);
    for (const h of s.fleet.hosts) {
      const t = s.fleet.hosts.indexOf(h);
      assert.equal(await version(fleet!.hosts[t].apiPort), '200 1.3.0', `${h.name} serves v1.3.0`);
      assert.deepEqual(eventsOn(fleet!.hosts[t].path).slice(4), ['build api', 'deploy api'], `${h.name}: only api rebuilt and redeployed, once`);
      for (const step of s.fleet.hostSteps) assert.equal(result.grid.cell(h.name, step.id)?.outcome, 'ok', `${h.name} ${step.id}`);
    }
    assert.deepEqual([...result.grid.rows.values()].map((r) => r.batch), [1, 2, 2, 3]);
    assert.deepEqual(fleet!.hosts.map((h) => dbRuns(h.path)), [1, 0, 0, 0], 'the database step ran once, on the db host');
    const saved = (await s.deps.journals.load(s.plan.id))!;
    assert.equal(saved.status, 'succeeded');
    for (const step of s.fleet.hostSteps) assert.equal(saved.steps.find((x) => x.stepId === step.id)?.outcome, 'ok');
    // The grid is in the journal, a change per event: every host × step ended ok there too.
    const oks = saved.events.filter((e) => e.kind === FLEET_HOST_STEP && (e.data as { cell: { outcome: string } }).cell.outcome === 'ok');
    assert.equal(oks.length, s.fleet.hosts.length * s.fleet.hostSteps.length);
    // The locks were taken on every host and released at the end.
    for (const h of fleet!.hosts) assert.throws(() => execFileSync('test', ['-e', join(h.path, '.rollback/locks/rollback.lock')]));
  });

  test('a changed host key on one host: nothing runs anywhere', async () => {
    const s = await setup('hostkey');
    await fleet!.hosts[3].changeHostKey();
    const result = await newRunner(s.deps).run({ plan: s.plan, fleet: s.fleet, preflights: s.preflights });
    assert.equal(result.success, false);
    const refused = result.journal.events.find((e) => e.kind === 'fleet-hosts-refused');
    assert.ok(refused, result.journal.events.map((e) => e.message).join('\n'));
    assert.match(refused.message, /^Nothing ran anywhere: 1 of 4 hosts could not be verified or reached: 127\.0\.0\.14 \(rbfleet4@127\.0\.0\.14:\d+\): /);
    assert.match(refused.message, /host key/i);
    for (const h of fleet!.hosts) {
      assert.deepEqual(eventsOn(h.path).slice(4), [], `host ${h.index} untouched`);
      assert.equal(await version(h.apiPort), '500 1.4.0');
      assert.equal(dbRuns(h.path), 0);
    }
    assert.ok(!result.journal.events.some((e) => e.kind === 'lock-acquired' || e.kind === 'ansible-started'));
  });

  test('one host keeps failing its health check in batch 2: the rollout stops after that batch, the last host untouched; resume continues only when asked', async () => {
    const s = await setup('failing', { healthTimeoutMs: 3000 });
    const bad = fleet!.hosts[2];
    // Host 3's own settings send its api to another port than its health URL reads: its health keeps failing.
    writeFileSync(join(bad.path, 'apps/api/port.json'), `${JSON.stringify({ port: await freePort() })}\n`);
    const result = await newRunner(s.deps).run({ plan: s.plan, fleet: s.fleet, preflights: s.preflights });
    assert.equal(result.success, false);
    assert.equal(result.journal.status, 'stopped');
    const g = result.grid;
    assert.deepEqual(s.fleet.hosts.map((h) => g.hostState(h.name)), ['done', 'done', 'failed', 'untouched']);
    assert.equal(g.cell('127.0.0.13', 'health-api')?.outcome, 'failed');
    assert.match(g.cell('127.0.0.13', 'health-api')?.detail ?? '', /attempts/);
    for (const step of s.fleet.hostSteps.filter((x) => x.id !== 'health-api')) assert.equal(g.cell('127.0.0.13', step.id)?.outcome, 'ok', step.id);
    for (const step of s.fleet.hostSteps) assert.equal(g.cell('127.0.0.14', step.id)?.outcome, 'not-started');
    assert.deepEqual(eventsOn(fleet!.hosts[3].path).slice(4), [], 'the last host was never touched');
    assert.equal(await version(fleet!.hosts[3].apiPort), '500 1.4.0');
    assert.equal(result.state, 'on v1.3.0: 127.0.0.11, 127.0.0.12, 127.0.0.13 (code switched; not done: health-api failed); still on v1.4.0: 127.0.0.14');
    // Why the failed one stopped, on that host, in its health check's words.
    assert.equal(result.failures.length, 1, result.failures.join(' | '));
    assert.match(result.failures[0], /^127\.0\.0\.13: health api: HTTP -1 after \d+ attempts: .*Connection refused/);
    const saved = (await s.deps.journals.load(s.plan.id))!;
    assert.equal(saved.steps.find((x) => x.stepId === 'health-api')?.outcome, 'failed');
    assert.equal(saved.steps.find((x) => x.stepId === 'build-api')?.outcome, 'failed', 'over the fleet: host 4 never built');

    // The operator fixes host 3 by hand, then chooses to continue the rollout.
    writeFileSync(join(bad.path, 'apps/api/port.json'), `${JSON.stringify({ port: bad.apiPort })}\n`);
    execFileSync('runuser', ['-u', bad.user, '--', 'sh', '-c', 'sh scripts/build.sh api && sh scripts/deploy.sh api'], { cwd: bad.path, stdio: 'ignore' });
    const before1 = eventsOn(fleet!.hosts[0].path);
    const before2 = eventsOn(fleet!.hosts[1].path);
    const before3 = eventsOn(bad.path);
    const resumed = await newRunner(s.deps).resume(saved, 'continue');
    assert.equal(resumed.success, true, resumed.state);
    for (const h of fleet!.hosts) assert.equal(await version(h.apiPort), '200 1.3.0', `host ${h.index}`);
    assert.deepEqual(eventsOn(fleet!.hosts[0].path), before1, 'finished hosts are never touched again');
    assert.deepEqual(eventsOn(fleet!.hosts[1].path), before2);
    assert.deepEqual(eventsOn(bad.path), before3, 'host 3 only ran its health check again');
    assert.deepEqual(eventsOn(fleet!.hosts[3].path).slice(4), ['build api', 'deploy api']);
    assert.match(resumed.journal.events.find((e) => e.kind === 'fleet-resume')!.message, /^Resume \(continue\): 127\.0\.0\.13, 127\.0\.0\.14; finished and left alone: 127\.0\.0\.11, 127\.0\.0\.12$/);
    assert.deepEqual(fleet!.hosts.map((h) => dbRuns(h.path)), [1, 0, 0, 0], 'the database step is not run again');
  });

  test('a host whose sshd stops mid-rollout: its outcome is unknown, never ok, and the next batch does not start', async () => {
    const s = await setup('vanish');
    const gone = fleet!.hosts[2];
    let cut = false;
    s.deps.onChange = (c) => {
      if (!cut && c.host === '127.0.0.13' && c.step === 'code-revert' && c.cell.outcome === 'ok') {
        cut = true;
        void gone.stopSshd();
      }
    };
    const result = await newRunner(s.deps).run({ plan: s.plan, fleet: s.fleet, preflights: s.preflights });
    assert.equal(cut, true);
    assert.equal(result.success, false);
    const g = result.grid;
    assert.equal(g.hostState('127.0.0.13'), 'unknown', JSON.stringify(g.rows.get('127.0.0.13')));
    const cells = s.fleet.hostSteps.map((x) => g.cell('127.0.0.13', x.id)!.outcome);
    const u = cells.indexOf('unknown');
    assert.ok(u > s.fleet.hostSteps.findIndex((x) => x.id === 'code-revert'), cells.join(' '));
    assert.deepEqual(cells.slice(u + 1).filter((o) => o !== 'not-started'), [], 'nothing after the cut is recorded as run');
    assert.ok(!cells.slice(u).includes('ok'));
    assert.equal(g.hostState('127.0.0.12'), 'done', 'its batch-mate finished its batch');
    assert.equal(g.hostState('127.0.0.14'), 'untouched');
    assert.match(g.stopReason ?? '', /batch 2.*127\.0\.0\.13/);
    assert.deepEqual(eventsOn(fleet!.hosts[3].path).slice(4), []);
    assert.match(result.journal.events.find((e) => e.kind === 'lock-kept')?.message ?? '', /127\.0\.0\.13/);
  });

  test('the control process is killed (SIGKILL) mid-batch: resume runs only the unfinished hosts and steps; nothing runs twice', async () => {
    fleet = await startFleet({ count: 4, sourceRepo: repo.dir });
    const work = join(tmp.dir, 'crash');
    mkdirSync(work, { recursive: true });
    const runId = `rb-fleet-crash-${Date.now()}`;
    const casePath = join(work, 'case.json');
    writeFileSync(casePath, JSON.stringify({ repo: repo.dir, work, runId, fleet: { knownHostsPath: fleet.knownHostsPath, keyPath: fleet.keyPath, dir: fleet.dir, hosts: fleet.hosts } }));
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fleetChild.ts')], { env: { ...process.env, RP_FLEET_CASE: casePath }, stdio: ['ignore', 'pipe', 'pipe'] });
    let childOut = '';
    child.stdout.on('data', (d: Buffer) => (childOut += d.toString()));
    child.stderr.on('data', (d: Buffer) => (childOut += d.toString()));
    const journalFile = join(work, 'journals', `${runId}.json`);
    const started = Date.now();
    let killedAt: RollbackJournal | undefined;
    while (Date.now() - started < 240_000 && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
      if (!existsSync(journalFile)) continue;
      let j: RollbackJournal;
      try {
        j = JSON.parse(readFileSync(journalFile, 'utf8')) as RollbackJournal;
      } catch {
        continue;
      }
      if (j.events.some((e) => e.kind === FLEET_HOST_STEP && (e.data as { host: string; step: string; cell: { outcome: string } }).host === '127.0.0.12' && (e.data as { step: string }).step === 'code-revert' && (e.data as { cell: { outcome: string } }).cell.outcome === 'ok')) {
        child.kill('SIGKILL');
        killedAt = j;
        break;
      }
    }
    assert.ok(killedAt, `the child never reached batch 2's code switch: ${childOut}`);
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
    const deps = fleetDeps(fleet, work, join(work, 'journals'));
    cleanups.push(() => deps.dispose());
    // ansible-playbook died with its parent (pdeathsig): bounded wait for its process group to be gone.
    const pg = killedAt.events.find((e) => e.kind === 'ansible-started')?.data?.processGroup as number;
    for (let i = 0; i < 100 && deps.isProcessGroupAlive!(pg); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(deps.isProcessGroupAlive!(pg), false, 'Ansible died with the control process');
    const afterKill = fleet.hosts.map((h) => eventsOn(h.path));
    const journal = (await deps.journals.load(runId))!;
    assert.equal(journal.status, 'running', 'the journal says the run was interrupted');
    const resumed = await newRunner(deps).resume(journal, 'continue');
    assert.equal(resumed.success, true, `${resumed.state}\n${resumed.journal.events.map((e) => e.message).join('\n')}`);
    assert.match(resumed.journal.events.find((e) => e.kind === 'fleet-resume')!.message, /finished and left alone: 127\.0\.0\.11$/);
    assert.deepEqual(eventsOn(fleet.hosts[0].path), afterKill[0], 'the host finished before the kill is never touched again');
    for (const h of fleet.hosts) {
      assert.equal(await version(h.apiPort), '200 1.3.0', `host ${h.index}`);
      const reverts = execFileSync('git', ['-C', h.path, '-c', 'safe.directory=*', 'log', '--format=%s', '--grep=^Revert'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
      assert.equal(reverts.length, 1, `host ${h.index}: the code step ran once (${reverts.join(' | ')})`);
    }
    assert.deepEqual(fleet.hosts.map((h) => dbRuns(h.path)), [1, 0, 0, 0]);
  });

  test('planned from rollback.yml by planFleet (hosts with vars, db host): the preview shows batches, the playbook and the first batch\'s check run; the run ends healthy', async () => {
    fleet = await startFleet({ count: 4, sourceRepo: repo.dir });
    const work = join(tmp.dir, 'planned');
    const yml = `environments:
  production:
    hosts:
${fleet.hosts.map((h) => `      - { host: ${h.destination}, path: ${h.path}, vars: { api_port: ${h.apiPort}, worker_port: ${h.workerPort} } }`).join('\n')}
    rollout: { batch: [1, "50%", "100%"] }
    db: ${fleet.hosts[1].destination}
    path: ${fleet.hosts[1].path}
services:
  api:
    build: sh scripts/build.sh api
    deploy: sh scripts/deploy.sh api
    health: { url: "http://127.0.0.1:{vars.api_port}/health", timeout: 8s, interval: 1s }
    paths: ["apps/api/**"]
  worker:
    build: sh scripts/build.sh worker
    deploy: sh scripts/deploy.sh worker
    health: { url: "http://127.0.0.1:{vars.worker_port}/health", timeout: 8s, interval: 1s }
    paths: ["apps/worker/**"]
`;
    const parsed = parseConfig(yml, 'rollback.yml');
    assert.deepEqual(parsed.diagnostics, []);
    const deps = fleetDeps(fleet, work, join(work, 'journals'));
    cleanups.push(() => deps.dispose());
    const git = gitQueriesVia(new LocalCommandRunner(), repo.dir);
    await assert.rejects(buildPlan({ config: parsed.config!, environment: 'production', git, to: 'v1.3.0', targetSource: 'previous-tag', reason: 'x', createdBy: 'dana' }), /environment production is a fleet of hosts: it is rolled back through Ansible \(planFleet\), not as one host/);
    // The migration tool's status check as the database section plans it (for the environment's host): planFleet runs it in the db host's tree.
    const status = toolStatusStep({ tool: 'golang-migrate', command: 'echo "$(pwd)" >> .rollback/tool-status.log && cat .rollback/migrate-version', dir: 'db/migrations', expect: ['4'], at: (command, extra) => ({ command, where: 'as-configured', cwd: '/as-configured', ...extra }), environment: 'production', where: 'as-configured' })!;
    const db = fleet.hosts[1];
    const asUser = (h: typeof db, script: string) => execFileSync('runuser', ['-u', h.user, '--', 'sh', '-c', script], { cwd: h.path, stdio: 'ignore' });
    // The tool reports version 5: 000005 is still applied although the plan undid it.
    for (const h of fleet.hosts) asUser(h, "mkdir -p .rollback && printf '*\\n' > .rollback/.gitignore && echo 5 > .rollback/migrate-version");
    const planned = await planFleet({ config: parsed.config!, environment: 'production', git, to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api 500s', createdBy: 'dana@laptop', verifySteps: [status] }, { ansible: deps.ansible, local: new LocalCommandRunner(), workspaceRoot: repo.dir });
    assert.deepEqual(planned.fleet.after.filter((x) => x.toolStatus).map((x) => x.commands.map((c) => `${c.where} ${c.cwd}`)), [[`${db.destination} ${db.path}`, `${db.destination} ${db.path}`]], 'after the batches, on the db host, in its tree');
    assert.equal(planned.plan.where, fleet.hosts[1].destination, 'the product\'s own steps run on the db host');
    assert.deepEqual(Object.keys(planned.preflights), ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14']);
    assert.match(planned.preflights['127.0.0.13'].commands[0].command, new RegExp(`127\\.0\\.0\\.1:${fleet.hosts[2].apiPort}/health`), 'each preflight probes its own host\'s URL');
    const check = await checkFirstBatch(planned, deps.ansible);
    assert.equal(check.internalError, undefined, check.output);
    const preview = fleetPreviewMarkdown(planned.fleet, planned.dbWhere, check);
    assert.match(preview, /^## Fleet: 4 hosts, 3 batches\n\n1\. \(canary\) `127\.0\.0\.11`\n2\. `127\.0\.0\.12`, `127\.0\.0\.13`\n3\. `127\.0\.0\.14`\n/);
    assert.match(preview, /Check mode does not run shell tasks/);
    assert.match(preview, /127\.0\.0\.11 +: ok=/, 'the check run reached the canary');
    assert.doesNotMatch(preview, /127\.0\.0\.12 +: ok=/, 'and only the canary');
    assert.deepEqual(eventsOn(fleet.hosts[0].path).slice(4), [], 'the check run changed nothing');
    const result = await newRunner(deps).run(planned);
    for (const h of fleet.hosts) assert.equal(await version(h.apiPort), '200 1.3.0');
    // Every host rolled back, but the tool's state is wrong: the rollback did not finish, and says why.
    assert.equal(result.success, false);
    assert.equal(result.journal.status, 'failed');
    assert.match(result.state, /; every host is on v1\.3\.0, but Check that golang-migrate still works on production: [^;]* failed on rbfleet2@127\.0\.0\.12:\d+: `[^`]*` reports version 5; after this rollback it should be 4$/);
    const ran = () => fleet!.hosts.map((h) => (existsSync(join(h.path, '.rollback/tool-status.log')) ? readFileSync(join(h.path, '.rollback/tool-status.log'), 'utf8').trim().split('\n') : []));
    assert.deepEqual(ran(), [[], [db.path], [], []], 'once, on the db host, in its tree');
    const js = result.journal.steps.find((x) => x.stepId === 'db-tool-status')!;
    assert.equal(js.outcome, 'failed');
    assert.match(js.outputTail ?? '', /\n5\n/);
    // Fixed on the database; the resume touches no host and asks the tool again.
    asUser(db, 'echo 4 > .rollback/migrate-version');
    const resumed = await newRunner(deps).resume(result.journal, 'continue');
    assert.equal(resumed.success, true, resumed.state);
    assert.deepEqual(ran(), [[], [db.path, db.path], [], []]);
    assert.match(resumed.journal.steps.find((x) => x.stepId === 'db-tool-status')!.detail ?? '', /version 4, its file is in db\/migrations$/);
    assert.equal(resumed.journal.events.filter((e) => e.kind === FLEET_HOST_STEP).length, result.journal.events.filter((e) => e.kind === FLEET_HOST_STEP).length, 'no host step ran again');
  });
});
