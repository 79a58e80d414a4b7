import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildPlan, planDigest, type PlanInput } from '../../../src/core/plan/planner';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import type { PlanStep } from '../../../src/core/plan/types';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { appRepoConfig, makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { git, tempDir } from './helpers';

describe('planner (real git repository)', () => {
  const tmp = tempDir('planner');
  const linearTmp = tempDir('planner-linear');
  let repo: AppRepo;
  let linear: AppRepo;
  const runner = new LocalCommandRunner();
  const config = appRepoConfig({ apiPort: 3101, workerPort: 3102 });
  const base = (over: Partial<PlanInput> = {}): PlanInput => ({
    config,
    environment: 'local',
    git: gitQueriesVia(runner, repo.dir),
    to: 'v1.3.0',
    targetSource: 'previous-tag',
    reason: 'api /health answers 500',
    createdBy: 'dana@laptop',
    workspaceRoot: repo.dir,
    runId: 'rb-test',
    ...over,
  });
  const ids = (steps: PlanStep[]): string[] => steps.map((s) => s.id);

  before(async () => {
    repo = await makeAppRepo(tmp.dir, { apiPort: 3101, workerPort: 3102 });
    linear = await makeAppRepo(linearTmp.dir, { apiPort: 3101, workerPort: 3102, withMergeCommit: false });
  });
  after(() => {
    tmp.cleanup();
    linearTmp.cleanup();
  });

  test('resolves both releases to full SHAs locally before anything is planned for a host', async () => {
    const plan = await buildPlan(base());
    assert.equal(plan.from.sha, repo.tags['v1.4.0']);
    assert.equal(plan.to.sha, repo.tags['v1.3.0']);
    assert.equal(plan.to.name, 'v1.3.0');
    assert.match(plan.from.sha, /^[0-9a-f]{40}$/);
    for (const s of plan.steps) for (const c of s.commands) assert.doesNotMatch(c.command.replace(/'[^']*'|"[^"]*"/g, ''), /v1\.[34]\.0/, `tags must not reach a host as git arguments: ${c.command}`);
  });

  test('revert of HEAD when HEAD is a merge commit uses -m 1', async () => {
    const plan = await buildPlan(base({ revertScope: 'head' }));
    const revert = plan.steps.find((s) => s.id === 'code-revert')!;
    // The operator's identity rides on the command (a deploy host's user has none); createdBy stands in when base() gives none.
    assert.equal(revert.commands[0].command, `git -c user.name=dana -c user.email=dana@laptop revert --no-edit -m 1 ${repo.tags['v1.4.0']}`);
    assert.match(revert.why, /merge, reverted against its first parent/);
    assert.equal(git(repo.dir, 'rev-list', '--parents', '-n', '1', repo.tags['v1.4.0']).split(' ').length, 3);
  });

  test('revert of a range lists first-parent commits newest first, with -m 1 when one is a merge', async () => {
    const plan = await buildPlan(base({ to: 'v1.2.0' }));
    const revert = plan.steps.find((s) => s.id === 'code-revert')!;
    const expected = git(repo.dir, 'rev-list', '--first-parent', `${repo.tags['v1.2.0']}..${repo.tags['v1.4.0']}`).split('\n');
    assert.equal(expected.length, 3);
    assert.equal(revert.commands[0].command, `git -c user.name=dana -c user.email=dana@laptop revert --no-edit -m 1 ${expected.join(' ')}`);
    assert.equal(expected[0], repo.tags['v1.4.0']);
  });

  test('revert of plain commits has no -m', async () => {
    const plan = await buildPlan(base({ git: gitQueriesVia(runner, linear.dir), workspaceRoot: linear.dir }));
    const revert = plan.steps.find((s) => s.id === 'code-revert')!;
    const shas = git(linear.dir, 'rev-list', '--first-parent', `${linear.tags['v1.3.0']}..${linear.tags['v1.4.0']}`).split('\n');
    assert.equal(shas.length, 2);
    assert.equal(revert.commands[0].command, `git -c user.name=dana -c user.email=dana@laptop revert --no-edit ${shas.join(' ')}`);
    assert.ok(revert.onFailure?.command.includes('git revert --abort'));
  });

  test('only the affected service is built and deployed, build before deploy, then health', async () => {
    const plan = await buildPlan(base());
    assert.deepEqual(plan.affectedServices, ['api']);
    assert.deepEqual(ids(plan.steps), ['notify-start', 'preflight', 'stash', 'save-host-files', 'code-revert', 'restore-host-files', 'build-api', 'deploy-api', 'health-api', 'notify-end']);
    const wide = await buildPlan(base({ to: 'v1.2.0' }));
    assert.deepEqual(wide.affectedServices, ['api', 'worker']);
    const order = ids(wide.steps);
    for (const svc of ['api', 'worker']) assert.ok(order.indexOf(`build-${svc}`) < order.indexOf(`deploy-${svc}`));
    assert.ok(order.indexOf('build-worker') < order.indexOf('deploy-api'), 'every build runs before the first deploy');
  });

  test('a file moved from one service to another: both are affected (a rename is both its paths)', async () => {
    const movedTmp = tempDir('planner-moved');
    try {
      const moved = await makeAppRepo(movedTmp.dir, { apiPort: 3101, workerPort: 3102, withMergeCommit: false });
      const before = git(moved.dir, 'rev-parse', 'HEAD');
      // Content unchanged, so git reports a rename unless asked not to: the worker loses a file, the api gains it.
      git(moved.dir, 'mv', 'apps/worker/port.json', 'apps/api/worker-port.json');
      git(moved.dir, 'commit', '-qm', 'move the worker port file into the api');
      const plan = await buildPlan(base({ git: gitQueriesVia(runner, moved.dir), workspaceRoot: moved.dir, from: 'HEAD', to: before }));
      assert.deepEqual(plan.affectedServices, ['api', 'worker']);
    } finally {
      movedTmp.cleanup();
    }
  });

  test('database steps run before the code step', async () => {
    const db: PlanStep = {
      id: 'db-000005', kind: 'database', title: 'Down 000005', why: 'x',
      commands: [{ command: 'psql', where: 'local', input: 'ALTER TABLE orders ADD COLUMN legacy_status text;' }],
      destructive: true, confirmEach: true,
      alreadyDone: { command: 'psql', where: 'local', input: 'DO $x$ BEGIN RAISE EXCEPTION $m$000005 is still applied$m$; END $x$;' },
    };
    const plan = await buildPlan(base({ databaseSteps: [db] }));
    const order = ids(plan.steps);
    assert.ok(order.indexOf('db-000005') < order.indexOf('code-revert'));
    assert.ok(order.indexOf('stash') < order.indexOf('db-000005'));
    const md = renderPlanMarkdown(plan);
    assert.match(md, /DESTRUCTIVE — Down 000005/);
    assert.match(md, /ADD COLUMN legacy_status/);
    // The resume check is shown with the SQL it feeds psql, not just "psql".
    assert.match(md, /On resume, skipped when this succeeds:\n```sh\npsql\n```\nwith this on standard input:\n```sh\nDO \$x\$ BEGIN RAISE EXCEPTION/);
    assert.match(md, /you will type the environment name \(`local`\) right before each one runs/);
  });

  test('checkout strategy: stash, detached checkout of the full SHA, says how to get back', async () => {
    const plan = await buildPlan(base({ strategy: 'checkout' }));
    const co = plan.steps.find((s) => s.id === 'code-checkout')!;
    assert.equal(co.commands[0].command, `git checkout --detach ${repo.tags['v1.3.0']}`);
    assert.equal(plan.returnHint, 'git switch main');
    assert.ok(ids(plan.steps).indexOf('stash') < ids(plan.steps).indexOf('code-checkout'));
    // Tracked changes only: untracked runtime files (uploads) stay under the running service; .rollback/ is never stashed.
    assert.match(plan.steps.find((s) => s.id === 'stash')!.commands[0].command, /git stash push -m 'rollback-pilot: rb-test' -- \. ':\(exclude\)\.rollback'/);
    assert.doesNotMatch(plan.steps.find((s) => s.id === 'stash')!.commands[0].command, /include-untracked/);
    // The host's files in the way of the checkout are saved right before it and put back right after it.
    assert.deepEqual(ids(plan.steps).slice(ids(plan.steps).indexOf('code-checkout') - 1, ids(plan.steps).indexOf('code-checkout') + 2), ['save-host-files', 'code-checkout', 'restore-host-files']);
  });

  test('tag strategy checks out the tag commit and names the tag', async () => {
    const plan = await buildPlan(base({ strategy: 'tag', to: 'v1.1.0' }));
    const co = plan.steps.find((s) => s.id === 'code-checkout')!;
    assert.equal(co.commands[0].command, `git checkout --detach ${repo.tags['v1.1.0']}`);
    assert.match(co.title, /tag v1\.1\.0/);
  });

  test('image strategy pulls the previous tag of each imaged service and redeploys without building', async () => {
    const cfg = appRepoConfig({ apiPort: 1, workerPort: 2 });
    cfg.services[0].image = 'registry.example/shop-api:{tag}';
    cfg.services[0].deploy = 'docker compose up -d --force-recreate api';
    const plan = await buildPlan(base({ config: cfg, strategy: 'image' }));
    // The preflight (path, current health) runs for image plans too, then the image checks.
    assert.deepEqual(ids(plan.steps), ['notify-start', 'preflight', 'preflight-image', 'image-api', 'deploy-api', 'health-api', 'notify-end']);
    assert.equal(plan.steps.find((s) => s.id === 'image-api')!.commands[0].command, 'docker pull registry.example/shop-api:v1.3.0');
    assert.equal(plan.steps.find((s) => s.id === 'deploy-api')!.commands[0].command, 'export ROLLBACK_IMAGE=registry.example/shop-api:v1.3.0; docker compose up -d --force-recreate api');
  });

  test('changed config files are restored from the target release and every service is recreated', async () => {
    const cfg = appRepoConfig({ apiPort: 1, workerPort: 2 });
    cfg.environments[0].configFiles = ['apps/api/server.js', 'Caddyfile'];
    const plan = await buildPlan(base({ config: cfg }));
    const restore = plan.steps.find((s) => s.id === 'config-restore')!;
    assert.equal(restore.commands[0].command, `git checkout ${repo.tags['v1.3.0']} -- apps/api/server.js`);
    assert.deepEqual(plan.affectedServices, ['api', 'worker']);
  });

  test('refuses refs that look like options or carry shell syntax, before touching git', async () => {
    await assert.rejects(buildPlan(base({ to: '--upload-pack=touch /tmp/x' })), /Unsafe ref/);
    await assert.rejects(buildPlan(base({ to: 'v1.3.0;rm -rf /' })), /Unsafe ref/);
    await assert.rejects(buildPlan(base({ to: 'no-such-release' })), /not a commit/);
    await assert.rejects(buildPlan(base({ environment: 'prod' })), /no environment "prod" \(known: local\)/);
  });

  test('the preview shows every step with where it runs, its command and why, and the digest tracks it', async () => {
    const plan = await buildPlan(base());
    const md = renderPlanMarkdown(plan);
    assert.match(md, /# Rollback of local: v1\.4\.0 → v1\.3\.0/);
    assert.match(md, /from the previous release tag/);
    assert.match(md, /api \/health answers 500/);
    for (const s of plan.steps) assert.ok(md.includes(s.title), s.title);
    assert.match(md, /## If the revert conflicts/);
    const d = planDigest(plan);
    assert.equal(planDigest(plan, md), d, 'the preview just rendered gives the same digest as rendering it again');
    assert.notEqual(planDigest(plan, md.replace('v1.3.0', 'v1.2.0')), d, 'a preview that is not the plan\'s gives another digest');
    plan.steps[4].commands[0].command += ' && curl evil';
    assert.notEqual(planDigest(plan), d);
    assert.notEqual(planDigest(plan, md), d, 'the commands count even when the preview text is passed in');
  });

  test('full redeploy: planned and previewed up front, every service built then deployed then checked, ids distinct from the plan\'s own', async () => {
    const plan = await buildPlan(base());
    const full = plan.fullRedeploy!;
    assert.ok(full, 'only api is affected, so a full redeploy would do more');
    assert.deepEqual(full.replaces, ['build-api', 'deploy-api', 'health-api']);
    assert.deepEqual(ids(full.steps), ['full-build-api', 'full-build-worker', 'full-deploy-api', 'full-deploy-worker', 'full-health-api', 'full-health-worker']);
    const all = [...ids(plan.steps), ...ids(plan.fallback!.steps), ...ids(full.steps)];
    assert.equal(new Set(all).size, all.length, `step ids are unique in one plan: ${all.join(', ')}`);
    const md = renderPlanMarkdown(plan);
    assert.match(md, /## If a service keeps failing: full redeploy/);
    assert.match(md, /Build worker \(full redeploy\)/);
    assert.match(md, /sh scripts\/deploy\.sh worker/);
    const d = planDigest(plan);
    full.steps[0].commands[0].command += ' && curl evil';
    assert.notEqual(planDigest(plan), d, 'what a full redeploy would run is part of what was previewed');
  });

  test('full redeploy: the environment\'s fullRedeploy command when set; none when every service is already in the plan', async () => {
    const cfg = appRepoConfig({ apiPort: 1, workerPort: 2 });
    cfg.environments[0].fullRedeploy = 'docker compose up -d --build --force-recreate';
    const plan = await buildPlan(base({ config: cfg }));
    assert.deepEqual(ids(plan.fullRedeploy!.steps), ['full-redeploy', 'full-health-api', 'full-health-worker']);
    assert.equal(plan.fullRedeploy!.steps[0].commands[0].command, 'docker compose up -d --build --force-recreate');
    assert.equal(plan.fullRedeploy!.steps[0].commands[0].cwd, repo.dir);
    const wide = await buildPlan(base({ to: 'v1.2.0' }));
    assert.deepEqual(wide.affectedServices, ['api', 'worker']);
    assert.equal(wide.fullRedeploy, undefined, 'the same steps again would not be a different move');
    assert.doesNotMatch(renderPlanMarkdown(wide), /full redeploy/);
  });
});
