import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan, type PlanInput } from '../../../src/core/plan/planner';
import type { PlanStep } from '../../../src/core/plan/types';
import { renderPostmortem } from '../../../src/core/postmortem';
import { RollbackEvents, type RollbackEvent } from '../../../src/core/run/events';
import { acquireLock, LockHeldError, readLock } from '../../../src/core/run/lock';
import { forceReleaseLock } from '../../../src/core/run/forceRelease';
import { RollbackRunner } from '../../../src/core/run/runner';
import type { FailureDecision } from '../../../src/core/run/ports';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { appRepoConfig, deployCurrent, makeAppRepo, stopApp, type AppRepo } from '../../fixtures/appRepo';
import { freePort, git, healthOf, ScriptedPrompter, tempDir } from './helpers';

interface Fixture {
  repo: AppRepo;
  apiPort: number;
  workerPort: number;
  journals: FileJournalStore;
  cleanup(): void;
}

const fixtures: Fixture[] = [];

async function freshApp(opts: { deploy?: boolean } = {}): Promise<Fixture> {
  const tmp = tempDir('local');
  const apiPort = await freePort();
  const workerPort = await freePort();
  const repo = await makeAppRepo(join(tmp.dir, 'app'), { apiPort, workerPort });
  const f: Fixture = {
    repo,
    apiPort,
    workerPort,
    journals: new FileJournalStore(join(tmp.dir, 'journals')),
    cleanup: () => {
      stopApp(repo.dir);
      tmp.cleanup();
    },
  };
  fixtures.push(f);
  if (opts.deploy ?? true) deployCurrent(repo.dir);
  return f;
}

function planInput(f: Fixture, over: Partial<PlanInput> = {}): PlanInput {
  return {
    config: appRepoConfig({ apiPort: f.apiPort, workerPort: f.workerPort, healthTimeoutMs: 8000 }),
    environment: 'local',
    git: gitQueriesVia(new LocalCommandRunner(), f.repo.dir),
    to: f.repo.goodTag,
    targetSource: 'previous-tag',
    reason: 'api /health answers 500 since v1.4.0',
    createdBy: 'dana@laptop',
    workspaceRoot: f.repo.dir,
    ...over,
  };
}

function engine(f: Fixture, prompter = new ScriptedPrompter(), extra: { events?: RollbackEvents; log?: string[] } = {}): RollbackRunner {
  return new RollbackRunner({
    runnerFor: () => new LocalCommandRunner(),
    journals: f.journals,
    prompter,
    http: new NodeHttp(),
    events: extra.events,
    log: extra.log ? { log: (l) => extra.log!.push(l) } : undefined,
    operator: 'dana@laptop',
  });
}

const eventsLog = (f: Fixture): string[] => readFileSync(join(f.repo.dir, 'run/events.log'), 'utf8').trim().split('\n');

describe('rollback on the local machine (real git, real services, real HTTP)', () => {
  afterEach(() => {
    while (fixtures.length) fixtures.pop()!.cleanup();
  });

  test('revert of the last deploy ends with /health reporting the old version; only the affected service is rebuilt, build before deploy', async () => {
    const f = await freshApp();
    assert.equal((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).status, 500);
    const log: string[] = [];
    const plan = await buildPlan(planInput(f));
    const result = await engine(f, new ScriptedPrompter(), { log }).run(plan);
    assert.equal(result.success, true, result.state);
    const health = await healthOf(`http://127.0.0.1:${f.apiPort}/health`);
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { version: '1.3.0' }]);
    assert.deepEqual(eventsLog(f).slice(4), ['build api', 'deploy api'], 'worker untouched, api built then deployed');
    assert.match(git(f.repo.dir, 'log', '-1', '--format=%s'), /^Revert "Merge branch 'feature\/fast-path'"/);
    assert.equal(git(f.repo.dir, 'status', '--porcelain'), '');
    const saved = await f.journals.load(plan.id);
    assert.equal(saved?.status, 'succeeded');
    assert.deepEqual(saved?.steps.map((s) => `${s.stepId}=${s.outcome}`), ['notify-start=skipped', 'preflight=ok', 'stash=ok', 'save-host-files=ok', 'code-revert=ok', 'restore-host-files=ok', 'build-api=ok', 'deploy-api=ok', 'health-api=ok', 'notify-end=skipped']);
    assert.ok(saved?.events.some((e) => e.kind === 'lock-released'));
    assert.equal(await readLock({ runner: new LocalCommandRunner(), cwd: f.repo.dir, environment: 'local' }), undefined);
    const start = JSON.parse(log[0]) as Record<string, unknown>;
    const end = JSON.parse(log[log.length - 1]) as Record<string, unknown>;
    assert.deepEqual([start.event, start.from, start.to], ['rollback_start', 'v1.4.0', 'v1.3.0']);
    assert.deepEqual([end.event, end.success], ['rollback_end', true]);
  });

  test('a revert that conflicts is aborted cleanly (repository exactly as before), then the checkout path finishes the job', async () => {
    const f = await freshApp();
    // A hotfix attempt on top of the bad release touches the same lines the merge changed.
    const server = join(f.repo.dir, 'apps/api/server.js');
    writeFileSync(server, readFileSync(server, 'utf8').replace("error: 'fast-path cache not warmed'", "error: 'fast-path cache not warmed (hotfix pending)'"));
    git(f.repo.dir, 'commit', '-qam', 'api: clearer health error');
    const headBefore = git(f.repo.dir, 'rev-parse', 'HEAD');
    const seen: Array<{ head: string; status: string; canSwitch: boolean; cleanedUp: boolean }> = [];
    const prompter = new ScriptedPrompter([{ action: 'switch-to-checkout' }]);
    const orig = prompter.chooseOnFailure.bind(prompter);
    prompter.chooseOnFailure = (step, state): Promise<FailureDecision> => {
      seen.push({ head: git(f.repo.dir, 'rev-parse', 'HEAD'), status: git(f.repo.dir, 'status', '--porcelain'), canSwitch: state.canSwitchToCheckout, cleanedUp: state.cleanedUp });
      return orig(step, state);
    };
    const plan = await buildPlan(planInput(f, { revertCommit: f.repo.badTag }));
    const result = await engine(f, prompter).run(plan);
    assert.deepEqual(seen, [{ head: headBefore, status: '', canSwitch: true, cleanedUp: true }]);
    assert.equal(prompter.failures[0].step.id, 'code-revert');
    assert.equal(result.success, true, result.state);
    assert.equal(git(f.repo.dir, 'rev-parse', 'HEAD'), f.repo.tags['v1.3.0']);
    assert.equal(JSON.parse((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).body).version, '1.3.0');
    assert.equal(result.journal.plan.strategy, 'checkout');
    assert.equal(result.journal.plan.returnHint, 'git switch main');
    const switched = result.journal.events.find((e) => e.kind === 'switched-to-checkout');
    assert.ok(switched);
    assert.deepEqual((switched.data?.replaced as Array<{ stepId: string; outcome: string }>).map((r) => [r.stepId, r.outcome]), [['code-revert', 'failed']]);
    assert.match(renderPostmortem(result.journal), /Step failed: Revert .* — exit code 1/);
  });

  test('a deploy that keeps failing: the previewed full redeploy replaces the service steps still to do and every service comes back', async () => {
    const f = await freshApp();
    const input = planInput(f);
    input.config.services[0].deploy = 'echo "restart api: the supervisor refuses a single restart" >&2; exit 1';
    input.config.environments[0].fullRedeploy = 'sh scripts/build.sh api && sh scripts/build.sh worker && sh scripts/deploy.sh api && sh scripts/deploy.sh worker';
    const plan = await buildPlan(input);
    const offered: boolean[] = [];
    const prompter = new ScriptedPrompter([{ action: 'full-redeploy' }]);
    const orig = prompter.chooseOnFailure.bind(prompter);
    prompter.chooseOnFailure = (step, state): Promise<FailureDecision> => {
      offered.push(state.canFullRedeploy);
      return orig(step, state);
    };
    const events = new RollbackEvents();
    const changes: string[][] = [];
    events.on((e) => {
      if (e.type === 'plan-changed') changes.push(e.plan.steps.map((s) => s.id));
    });
    const result = await engine(f, prompter, { events }).run(plan);
    assert.equal(result.success, true, result.state);
    assert.deepEqual(offered, [true]);
    assert.equal(prompter.failures[0].step.id, 'deploy-api');
    const after = ['notify-start', 'preflight', 'stash', 'save-host-files', 'code-revert', 'restore-host-files', 'build-api', 'full-redeploy', 'full-health-api', 'full-health-worker', 'notify-end'];
    assert.deepEqual(result.journal.steps.map((s) => s.stepId), after, 'the failed deploy and the api check gave way; the done build stays');
    assert.deepEqual(changes, [after], 'the checklist is told the plan changed');
    assert.deepEqual(eventsLog(f).slice(4), ['build api', 'build api', 'build worker', 'deploy api', 'deploy worker']);
    assert.equal(JSON.parse((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).body).version, '1.3.0');
    assert.equal((await healthOf(`http://127.0.0.1:${f.workerPort}/health`)).status, 200);
    const switched = result.journal.events.find((e) => e.kind === 'switched-to-full-redeploy');
    assert.match(switched?.message ?? '', /"Deploy api", "Health of api.*" replaced by the full redeploy/);
    assert.equal(result.journal.plan.fullRedeploy, undefined, 'offered once');
    // The failed deploy left the step list; its failure is kept for the post-mortem.
    const replaced = switched?.data?.replaced as Array<{ stepId: string; outcome: string; detail?: string }>;
    assert.deepEqual(replaced.map((r) => [r.stepId, r.outcome]), [['deploy-api', 'failed']], 'only what had run is recorded');
    assert.match(replaced[0].detail ?? '', /exit code 1: restart api: the supervisor refuses a single restart/);
    assert.match(renderPostmortem(result.journal), /Step failed: Deploy api — exit code 1: restart api: the supervisor refuses a single restart/);
  });

  test('rolling back again after a revert rollback: the revert commit has the first target\'s code, so a plan from that release runs; other code is refused', async () => {
    const f = await freshApp();
    const first = await engine(f).run(await buildPlan(planInput(f)));
    assert.equal(first.success, true, first.state);
    assert.notEqual(git(f.repo.dir, 'rev-parse', 'HEAD'), f.repo.tags['v1.3.0'], 'HEAD is the revert commit, not the tag');
    // The deploy record now says v1.3.0: the next plan starts from that release.
    const again = await engine(f).run(await buildPlan(planInput(f, { from: f.repo.tags['v1.3.0'], fromName: 'v1.3.0', to: 'v1.1.0', strategy: 'checkout' })));
    assert.equal(again.success, true, again.state);
    assert.equal(git(f.repo.dir, 'rev-parse', 'HEAD'), f.repo.tags['v1.1.0']);
    assert.match((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).body, /1\.1\.0/);
    // A plan for v1.3.0 while the checkout holds other code stops at the preflight, before anything changes.
    const refused = await engine(f, new ScriptedPrompter([{ action: 'stop' }])).run(await buildPlan(planInput(f, { from: f.repo.tags['v1.3.0'], fromName: 'v1.3.0', to: 'v1.0.0', strategy: 'checkout' })));
    assert.equal(refused.success, false);
    const preflight = refused.journal.steps.find((x) => x.stepId === 'preflight')!;
    assert.equal(preflight.outcome, 'failed');
    assert.match(preflight.detail ?? '', /the target is at [0-9a-f]{40}, not at v1\.3\.0 .* nor at a commit with its code/);
    assert.equal(git(f.repo.dir, 'rev-parse', 'HEAD'), f.repo.tags['v1.1.0'], 'nothing ran after the refusal');
  });

  test('health that never turns good stops the run and the journal says which step failed', async () => {
    const f = await freshApp();
    const input = planInput(f);
    input.config.services[0].health = { ...input.config.services[0].health!, contains: '"version":"1.2.0"', timeoutMs: 1500 };
    const prompter = new ScriptedPrompter([{ action: 'stop' }]);
    const result = await engine(f, prompter).run(await buildPlan(input));
    assert.equal(result.success, false);
    assert.equal(result.journal.status, 'failed');
    const health = result.journal.steps.find((s) => s.stepId === 'health-api')!;
    assert.equal(health.outcome, 'failed');
    assert.match(health.detail ?? '', /not healthy within 1500 ms; last probe: HTTP 200 .*1\.3\.0/);
    assert.equal(result.journal.steps.find((s) => s.stepId === 'notify-end')?.outcome, 'pending');
    assert.match(result.state, /Stopped after "Health of api.*" failed/);
    assert.equal(prompter.failures[0].step.id, 'health-api');
    assert.equal(await readLock({ runner: new LocalCommandRunner(), cwd: f.repo.dir, environment: 'local' }), undefined);
  });

  test('tag strategy: the tree becomes the tag, both changed services are rebuilt, HEAD detached with the way back recorded', async () => {
    const f = await freshApp();
    const plan = await buildPlan(planInput(f, { strategy: 'tag', to: 'v1.1.0' }));
    const result = await engine(f).run(plan);
    assert.equal(result.success, true, result.state);
    assert.equal(git(f.repo.dir, 'rev-parse', 'HEAD'), f.repo.tags['v1.1.0']);
    assert.equal(JSON.parse((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).body).version, '1.1.0');
    assert.equal(JSON.parse((await healthOf(`http://127.0.0.1:${f.workerPort}/health`)).body).version, '1.1.0');
    assert.equal(result.journal.plan.returnHint, 'git switch main');
  });

  test('uncommitted local changes survive: tracked edits stashed under a named stash the journal points to, and restorable; untracked files stay in place', async () => {
    const f = await freshApp();
    writeFileSync(join(f.repo.dir, 'README.md'), '# Demo shop\n\nwork in progress\n');
    writeFileSync(join(f.repo.dir, 'notes.txt'), 'incident notes\n');
    const plan = await buildPlan(planInput(f, { strategy: 'checkout' }));
    const result = await engine(f).run(plan);
    assert.equal(result.success, true, result.state);
    assert.equal(result.journal.stash?.message, `rollback-pilot: ${plan.id}`);
    assert.equal(result.journal.stash?.ref, 'stash@{0}');
    assert.match(git(f.repo.dir, 'stash', 'list'), new RegExp(`rollback-pilot: ${plan.id}`));
    // The stash takes tracked changes only: an untracked file the checkout does not touch is never moved (it is not in the stash).
    assert.equal(readFileSync(join(f.repo.dir, 'notes.txt'), 'utf8'), 'incident notes\n');
    assert.equal(git(f.repo.dir, 'stash', 'show', '--name-only', '--include-untracked', result.journal.stash!.ref), 'README.md');
    git(f.repo.dir, 'switch', '-q', 'main');
    git(f.repo.dir, 'stash', 'pop', '-q', result.journal.stash!.ref);
    assert.equal(readFileSync(join(f.repo.dir, 'README.md'), 'utf8'), '# Demo shop\n\nwork in progress\n');
    assert.equal(readFileSync(join(f.repo.dir, 'notes.txt'), 'utf8'), 'incident notes\n');
  });

  test('resume after a stop mid-run does not run finished steps again and re-checks the unknown one', async () => {
    const f = await freshApp();
    const events = new RollbackEvents();
    const ctl = new AbortController();
    events.on((e: RollbackEvent) => {
      if (e.type === 'step-finished' && e.stepId === 'code-revert') ctl.abort();
    });
    const plan = await buildPlan(planInput(f));
    const first = await engine(f, new ScriptedPrompter(), { events }).run(plan, { signal: ctl.signal });
    assert.equal(first.journal.status, 'stopped');
    // As if the window died while the revert ran: the journal cannot know it finished.
    const journal = (await f.journals.load(plan.id))!;
    journal.steps.find((s) => s.stepId === 'code-revert')!.outcome = 'running';
    const buildsBefore = eventsLog(f).length;
    const second = await engine(f).resume(journal);
    assert.equal(second.success, true, second.state);
    const revert = second.journal.steps.find((s) => s.stepId === 'code-revert')!;
    assert.equal(revert.outcome, 'ok');
    assert.match(revert.detail ?? '', /already there/);
    assert.equal(revert.attempts, 1, 'the revert ran once, in the first run');
    assert.equal(git(f.repo.dir, 'rev-list', '--count', `${f.repo.tags['v1.4.0']}..HEAD`), '1');
    assert.deepEqual(eventsLog(f).slice(buildsBefore), ['build api', 'deploy api']);
    assert.equal(JSON.parse((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).body).version, '1.3.0');
  });

  test('database steps get their SQL on stdin, ask before each one, and a destructive step needs the environment name typed right before it', async () => {
    const f = await freshApp({ deploy: false });
    const db: PlanStep = {
      id: 'db-000005-down',
      kind: 'database',
      title: 'Down 000005_orders_drop_legacy_status',
      why: 'one down step, shown first',
      commands: [{ command: 'cat > run-sql.txt', where: 'local', cwd: f.repo.dir, input: 'ALTER TABLE orders ADD COLUMN legacy_status text;\n' }],
      destructive: true,
      confirmEach: true,
    };
    const plan = await buildPlan(planInput(f, { databaseSteps: [db] }));
    const wrongName = new ScriptedPrompter([], 'prod');
    const refused = await engine(f, wrongName).run(plan);
    assert.equal(refused.journal.status, 'stopped');
    assert.match(refused.state, /Stopped before "Down 000005_orders_drop_legacy_status": it is destructive and the environment name "local" was not typed/);
    assert.deepEqual(wrongName.typedFor.map((steps) => steps.map((s) => s.id)), [['db-000005-down']], 'asked for that step alone, after its confirmation');
    assert.equal(refused.journal.steps.find((s) => s.stepId === 'db-000005-down')?.outcome, 'pending');
    assert.equal(existsSync(join(f.repo.dir, 'run-sql.txt')), false);
    const stopAtDb = new ScriptedPrompter([], 'local', 'stop');
    const r = await engine(f, stopAtDb).run(plan);
    assert.equal(r.journal.status, 'stopped');
    assert.deepEqual(stopAtDb.confirmations.map((s) => s.id), ['db-000005-down']);
    assert.equal(existsSync(join(f.repo.dir, 'run-sql.txt')), false);
    const again = await buildPlan(planInput(f, { databaseSteps: [db] }));
    const ok = await engine(f, new ScriptedPrompter([], 'local', 'run')).run(again);
    assert.equal(ok.journal.steps.find((s) => s.stepId === 'db-000005-down')?.outcome, 'ok');
    assert.equal(readFileSync(join(f.repo.dir, 'run-sql.txt'), 'utf8'), 'ALTER TABLE orders ADD COLUMN legacy_status text;\n');
  });
});

describe('lock on a target', () => {
  const tmp = tempDir('lock');
  after(() => tmp.cleanup());

  test('two rollbacks at once: exactly one gets the lock, the other is told who holds it since when', async () => {
    const target = { runner: new LocalCommandRunner(), cwd: tmp.dir, environment: 'production' };
    const results = await Promise.allSettled([
      acquireLock(target, { who: 'alice@laptop', since: '2025-01-06T09:00:00.000Z', runId: 'rb-a' }),
      acquireLock(target, { who: 'bob@desk', since: '2025-01-06T09:00:01.000Z', runId: 'rb-b' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.ok(lost[0].reason instanceof LockHeldError);
    const holder = (won[0] as PromiseFulfilledResult<{ who: string; since: string }>).value;
    assert.match((lost[0].reason as Error).message, new RegExp(`by ${holder.who} since ${holder.since.replace(/\./g, '\\.')}`));
    assert.equal(git(tmp.dir, 'init', '-q', '.'), '');
    assert.equal(git(tmp.dir, 'status', '--porcelain'), '', 'the lock never shows up in git status');
  });

  test('a run on a locked target is refused with the holder named; Release Lock frees it and the journal records it', async () => {
    const f = await freshApp({ deploy: false });
    const target = { runner: new LocalCommandRunner(), cwd: f.repo.dir, environment: 'local' };
    await acquireLock(target, { who: 'alice@laptop', since: '2025-01-06T09:00:00.000Z', runId: 'rb-alice' });
    const plan = await buildPlan(planInput(f));
    await assert.rejects(engine(f).run(plan), /being rolled back by alice@laptop since 2025-01-06T09:00:00\.000Z/);
    assert.equal((await f.journals.load(plan.id))?.status, 'abandoned');
    await f.journals.save({ ...(await f.journals.load(plan.id))!, runId: 'rb-alice', status: 'stopped' });
    const shown = (await readLock(target))!;
    const removed = await forceReleaseLock(target, shown, 'bob@desk', { why: 'alice\'s window crashed', journals: f.journals });
    assert.equal(removed?.who, 'alice@laptop');
    assert.equal(await readLock(target), undefined);
    const alice = await f.journals.load('rb-alice');
    assert.match(alice!.events.at(-1)!.message, /held by alice@laptop .* released by bob@desk/);
    f.cleanup();
  });
});
