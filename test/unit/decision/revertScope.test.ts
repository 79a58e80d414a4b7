// Revert This Commit and Redeploy, and the full rollback, on the fixture shop (real git, real
// services): one commit of the bad release reverted, the rest of it kept, only the services that
// commit touched rebuilt; the full rollback redeploys every service.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan, type PlanInput } from '../../../src/core/plan/planner';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import { RollbackRunner } from '../../../src/core/run/runner';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { NodeHttp } from '../../../src/infra/http';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { appRepoConfig, deployCurrent, makeAppRepo, stopApp, type AppRepo } from '../../fixtures/appRepo';
import { freePort, git, healthOf, ScriptedPrompter, tempDir } from '../engine/helpers';

describe('revert one commit / the full rollback (real git, real services)', () => {
  const tmp = tempDir('revert-scope');
  let repo: AppRepo;
  let apiPort: number;
  let workerPort: number;
  let fastPath: string;
  const input = (over: Partial<PlanInput> = {}): PlanInput => ({
    config: appRepoConfig({ apiPort, workerPort, healthTimeoutMs: 8000 }), environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), repo.dir),
    to: repo.goodTag, targetSource: 'previous-tag', reason: 'api /health answers 500', createdBy: 'dana@laptop', workspaceRoot: repo.dir, runId: 'rb-scope', ...over,
  });

  before(async () => {
    apiPort = await freePort();
    workerPort = await freePort();
    repo = await makeAppRepo(join(tmp.dir, 'shop'), { apiPort, workerPort });
    deployCurrent(repo.dir);
    fastPath = git(repo.dir, 'log', '--format=%H', '--grep', '^api: fast path', repo.badTag);
  });
  after(() => {
    stopApp(repo.dir);
    tmp.cleanup();
  });

  test('the full rollback (cause unknown) redeploys every service, and says so', async () => {
    const plan = await buildPlan(input({ redeployAll: true }));
    assert.deepEqual(plan.affectedServices, ['api', 'worker']);
    assert.deepEqual(plan.scope, { kind: 'full' });
    assert.match(renderPlanMarkdown(plan), /- \*\*Scope\*\*: the full rollback \(the cause is unknown\): code, database steps, config files, and every service rebuilt and redeployed/);
    assert.deepEqual((await buildPlan(input())).affectedServices, ['api'], 'without it: only what the change touched');
  });

  test('Revert This Commit: only that commit is reverted, the rest of the release stays, only its service is redeployed', async () => {
    assert.match(fastPath, /^[0-9a-f]{40}$/);
    const plan = await buildPlan(input({ revertCommit: fastPath }));
    assert.deepEqual(plan.scope, { kind: 'commit', sha: fastPath, subject: 'api: fast path for order listing' });
    assert.deepEqual(plan.affectedServices, ['api'], 'the commit touched apps/api only');
    const revert = plan.steps.find((s) => s.id === 'code-revert')!;
    assert.equal(revert.commands[0].command, `git -c user.name=dana -c user.email=dana@laptop revert --no-edit ${fastPath}`);
    assert.match(renderPlanMarkdown(plan), new RegExp(`- \\*\\*Scope\\*\\*: only commit \`${fastPath.slice(0, 12)}\` \\(api: fast path for order listing\\) is reverted; the rest of v1\\.4\\.0 stays deployed`));

    const result = await new RollbackRunner({ runnerFor: () => new LocalCommandRunner(), journals: new FileJournalStore(join(tmp.dir, 'journals')), prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, `${result.state}: ${JSON.stringify(result.journal.steps.map((s) => [s.stepId, s.outcome, s.detail]))}`);
    assert.equal((await healthOf(`http://127.0.0.1:${apiPort}/health`)).status, 200);
    assert.equal(git(repo.dir, 'rev-parse', 'HEAD^'), repo.tags[repo.badTag], 'one new commit on top of the deployed release');
    assert.equal(git(repo.dir, 'log', '-1', '--format=%s'), 'Revert "api: fast path for order listing"');
    assert.ok(existsSync(join(repo.dir, 'db/migrations/000005_orders_drop_legacy_status.up.sql')), 'the other commit of the release stays');
    const events = readFileSync(join(repo.dir, 'run/events.log'), 'utf8').trim().split('\n');
    assert.deepEqual(events.slice(4), ['build api', 'deploy api'], 'the worker is untouched');
  });
});
