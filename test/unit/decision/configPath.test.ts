// The decision tree's configuration branch, run for real: a release that broke the
// configuration (config/app.env) and also changed the code. The restore puts the config file
// of the last good release back and recreates the service, with no code step: HEAD, the code
// and the running code's version stay those of the deployed release. Real git repository,
// real sh, a real HTTP service whose /health reads the configuration it was started with.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RollbackConfig } from '../../../src/core/config/types';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildConfigPlan, type ConfigPlanInput } from '../../../src/core/plan/configPlan';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import { RollbackRunner } from '../../../src/core/run/runner';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { NodeHttp } from '../../../src/infra/http';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { appRepoConfig } from '../../fixtures/appRepo';
import { freePort, git, healthOf, ScriptedPrompter, tempDir } from '../engine/helpers';
import { makeConfigRepo, stopConfigRepo } from './configRepo';

describe('decision tree: the configuration path (real git, real sh, real service)', () => {
  const tmp = tempDir('config-path');
  const repo = join(tmp.dir, 'shop');
  let port: number;
  let config: RollbackConfig;
  const tags: Record<string, string> = {};
  const health = async () => {
    const h = await healthOf(`http://127.0.0.1:${port}/health`);
    return { status: h.status, ...(JSON.parse(h.body || '{}') as { version?: string; greeting?: string; pid?: number }) };
  };
  const input = (over: Partial<ConfigPlanInput> = {}): ConfigPlanInput => ({
    config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), repo), from: tags['v1.1.0'], fromName: 'v1.1.0', to: tags['v1.0.0'], toName: 'v1.0.0',
    remedy: 'restore', targetSource: 'previous-tag', reason: 'v1.1.0 set GREETING=broken', createdBy: 'dana@laptop', workspaceRoot: repo, runId: 'rb-config', ...over,
  });
  const engine = () => new RollbackRunner({ runnerFor: () => new LocalCommandRunner(), journals: new FileJournalStore(join(tmp.dir, 'journals')), prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' });

  before(async () => {
    port = await freePort();
    Object.assign(tags, makeConfigRepo(repo, port));
    const base = appRepoConfig({ apiPort: port, workerPort: port + 1, healthTimeoutMs: 8000 });
    config = {
      ...base,
      environments: [{ ...base.environments[0], configFiles: ['config/app.env'] }],
      services: [{ ...base.services[0], name: 'app', build: 'echo the config path never builds >&2; exit 1', deploy: `sh scripts/deploy.sh ${port}`, paths: ['app/**'] }],
    };
  });
  after(() => {
    stopConfigRepo(repo);
    tmp.cleanup();
  });

  test('restore: the config file of v1.0.0 comes back, the service is recreated, the code stays at v1.1.0', async () => {
    const before = await health();
    assert.deepEqual([before.status, before.version, before.greeting], [500, '1.1.0', 'broken']);
    const plan = await buildConfigPlan(input());
    assert.deepEqual(plan.steps.map((s) => s.id), ['notify-start', 'preflight', 'config-restore', 'deploy-app', 'health-app', 'notify-end']);
    assert.ok(!plan.steps.some((s) => ['code', 'build', 'image'].includes(s.kind)), 'no code step, no build');
    assert.equal(plan.steps.find((s) => s.id === 'config-restore')!.commands[0].command, `git checkout ${tags['v1.0.0']} -- config/app.env`);
    const md = renderPlanMarkdown(plan);
    assert.match(md, /\*\*no code step\*\*/);
    assert.match(md, /- \*\*Scope\*\*: the configuration only: the config files of v1\.0\.0 come back and every service is recreated to read them; the code stays at v1\.1\.0/);

    const result = await engine().run(plan);
    assert.equal(result.success, true, `${result.state}: ${JSON.stringify(result.journal.steps.map((s) => [s.stepId, s.outcome, s.detail]))}`);
    const afterRun = await health();
    assert.deepEqual([afterRun.status, afterRun.version, afterRun.greeting], [200, '1.1.0', 'hello'], 'the running code is still v1.1.0, with the good configuration');
    assert.notEqual(afterRun.pid, before.pid, 'a new process: recreated, not left running');
    assert.equal(git(repo, 'rev-parse', 'HEAD'), tags['v1.1.0'], 'HEAD did not move');
    assert.equal(git(repo, 'status', '--porcelain'), 'M  config/app.env', 'only the config file differs from the deployed release (staged by git checkout <release> -- file)');
    assert.equal(git(repo, 'diff', 'HEAD', '--', 'app'), '', 'the code is untouched');
    assert.equal(readFileSync(join(repo, 'config/app.env'), 'utf8'), 'GREETING=hello\n');
    assert.equal(readFileSync(join(repo, 'run/events.log'), 'utf8').trim().split('\n').length, 2, 'deployed once at the start, once by the rollback');
  });

  test('restart: nothing restored, every service restarted on the deployed code', async () => {
    const pid = (await health()).pid;
    const plan = await buildConfigPlan(input({ remedy: 'restart', to: undefined, toName: undefined }));
    assert.deepEqual(plan.steps.map((s) => s.id), ['notify-start', 'preflight', 'deploy-app', 'health-app', 'notify-end']);
    assert.deepEqual([plan.from.sha, plan.to.sha], [tags['v1.1.0'], tags['v1.1.0']]);
    assert.match(plan.steps.find((s) => s.id === 'deploy-app')!.why, /^Restart app on the v1\.1\.0 code/);
    assert.match(renderPlanMarkdown(plan), /^# Restart of local: the services of v1\.1\.0$/m);
    const result = await engine().run(plan);
    assert.equal(result.success, true, result.state);
    assert.notEqual((await health()).pid, pid);
    assert.equal(git(repo, 'rev-parse', 'HEAD'), tags['v1.1.0']);
  });

  test('refusals name what is missing', async () => {
    const noFiles = { ...config, environments: [{ ...config.environments[0], configFiles: [] }] };
    await assert.rejects(buildConfigPlan(input({ config: noFiles })), /environments\.local\.configFiles lists no file, so there is nothing to restore/);
    const withImage = { ...config, services: [{ ...config.services[0], deploy: 'docker run {image}' }] };
    await assert.rejects(buildConfigPlan(input({ config: withImage })), /app: the deploy takes \{image\}, so it would switch images/);
    await assert.rejects(buildConfigPlan(input({ to: undefined })), /a configuration restore needs the release whose configuration comes back/);
  });
});
