// A config rollback recreates the services, with real git and real dash: the gitignored .env
// comes back from the pre-deploy snapshot, the compose deploy gets --force-recreate (a compose
// on the PATH that, like the real one, keeps a running container's environment unless told to
// recreate it), and the service's configCheck asks the "container" whether it sees the
// restored value. Without --force-recreate the check would have failed: the test shows both.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RollbackConfig } from '../../../src/core/config/types';
import { isComposeUp, withForceRecreate } from '../../../src/core/plan/configRecreate';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import { shQuote } from '../../../src/core/plan/shellQuote';
import { RollbackRunner } from '../../../src/core/run/runner';
import { takeSnapshot } from '../../../src/core/snapshot/snapshot';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { appRepoConfig, makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { git, ScriptedPrompter, tempDir } from '../engine/helpers';

describe('config rollback: restored, recreated with --force-recreate, checked inside the container (real git, real dash)', () => {
  const tmp = tempDir('config-recreate');
  let repo: AppRepo;
  let host: string;
  let state: string;
  let local: LocalCommandRunner;
  let config: RollbackConfig;

  before(async () => {
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
    host = join(tmp.dir, 'host');
    execFileSync('git', ['clone', '-q', repo.dir, host], { stdio: 'ignore' });
    appendFileSync(join(host, '.git', 'info', 'exclude'), '.env\n');
    state = join(tmp.dir, 'containers');
    mkdirSync(state);
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    // Like Compose: `up` creates a missing container from .env, and keeps a running one's environment unless --force-recreate.
    writeFileSync(
      join(bin, 'docker'),
      `#!/bin/sh
s=${shQuote(state)}
echo "$*" >> "$s/docker.log"
[ "$1" = compose ] || exit 0
case "$2" in
  up) shift 2; force=; for a in "$@"; do svc=$a; [ "$a" = --force-recreate ] && force=1; done
      if [ -n "$force" ] || [ ! -f "$s/$svc.env" ]; then cp .env "$s/$svc.env"; fi ;;
  exec) shift 2; [ "$1" = -T ] && shift; svc=$1; shift; env $(cat "$s/$svc.env") "$@" ;;
esac
`,
      { mode: 0o755 },
    );
    local = new LocalCommandRunner({ env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    config = appRepoConfig({ apiPort: 1, workerPort: 2, path: host, strategy: 'checkout' });
    config.environments[0].configFiles = ['.env'];
    config.services = [{ name: 'api', deploy: 'docker compose up -d api', configCheck: `docker compose exec -T api sh -c 'test "$FEATURE_FAST_PATH" = off'`, paths: ['apps/api/**'] }];
  });
  after(() => tmp.cleanup());

  const plan = () =>
    buildPlan({ config, environment: 'local', git: gitQueriesVia(local, repo.dir), from: repo.tags['v1.3.0'], fromName: 'v1.3.0', to: repo.tags['v1.2.0'], toName: 'v1.2.0', targetSource: 'snapshot', reason: 'the fast path is broken', createdBy: 'dana@laptop', gitIdentity: { name: 'Dana', email: 'dana@shop.example' } });
  const run = (p: Awaited<ReturnType<typeof plan>>) => new RollbackRunner({ runnerFor: () => local, journals: new FileJournalStore(join(tmp.dir, 'journals')), prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(p);
  const seen = () => readFileSync(join(state, 'api.env'), 'utf8');

  test('the .env comes back from the snapshot, compose recreates api with --force-recreate, and the container sees the old value', async () => {
    git(host, 'checkout', '-q', '--detach', 'v1.2.0');
    writeFileSync(join(host, '.env'), 'FEATURE_FAST_PATH=off\n');
    await takeSnapshot({ env: config.environments[0], services: config.services, runner: local, http: new NodeHttp(), cwd: host });
    // The bad deploy: v1.3.0's code, the flag turned on, the container created from it.
    git(host, 'checkout', '-q', '--detach', 'v1.3.0');
    writeFileSync(join(host, '.env'), 'FEATURE_FAST_PATH=on\n');
    execFileSync('docker', ['compose', 'up', '-d', 'api'], { cwd: host, env: { ...process.env, PATH: `${join(tmp.dir, 'bin')}:${process.env.PATH}` } });
    assert.equal(seen(), 'FEATURE_FAST_PATH=on\n');

    const p = await plan();
    const ids = p.steps.map((s) => s.id);
    assert.ok(ids.indexOf('config-from-snapshot') < ids.indexOf('deploy-api') && ids.indexOf('deploy-api') < ids.indexOf('config-check-api'), ids.join(', '));
    const deploy = p.steps.find((s) => s.id === 'deploy-api')!;
    assert.equal(deploy.commands[0].command, 'docker compose up --force-recreate -d api');
    assert.match(deploy.why, /--force-recreate added/);
    // What the plain command would have done: the container keeps the bad value, and the check says so.
    const plain = await local.run(`${config.services[0].configCheck!}`, { cwd: host });
    assert.equal(plain.code, 1, 'before the recreate the container still sees FEATURE_FAST_PATH=on');

    const result = await run(p);
    assert.equal(result.success, true, result.state);
    assert.equal(readFileSync(join(host, '.env'), 'utf8'), 'FEATURE_FAST_PATH=off\n');
    assert.equal(seen(), 'FEATURE_FAST_PATH=off\n', 'recreated from the restored .env');
    assert.match(readFileSync(join(state, 'docker.log'), 'utf8'), /^compose up -d api\n(compose exec -T api sh -c test "\$FEATURE_FAST_PATH" = off\n)compose up --force-recreate -d api\n\1$/);
    assert.equal(result.journal.steps.find((s) => s.stepId === 'config-check-api')?.outcome, 'ok');
  });

  test('a container that does not see the restored value fails the config check, and nothing after it runs', async () => {
    git(host, 'checkout', '-q', '--detach', 'v1.3.0');
    writeFileSync(join(host, '.env'), 'FEATURE_FAST_PATH=on\n');
    const strict = { ...config, services: [{ ...config.services[0], configCheck: `docker compose exec -T api sh -c 'test "$FEATURE_FAST_PATH" = maybe'`, health: { url: 'http://127.0.0.1:1/health', expect: 200, warmupMs: 0, timeoutMs: 1000, intervalMs: 200 } }] };
    const p = await buildPlan({ config: strict, environment: 'local', git: gitQueriesVia(local, repo.dir), from: repo.tags['v1.3.0'], fromName: 'v1.3.0', to: repo.tags['v1.2.0'], toName: 'v1.2.0', targetSource: 'snapshot', reason: 'x', createdBy: 'dana@laptop' });
    const result = await run(p);
    assert.equal(result.success, false);
    const check = result.journal.steps.find((s) => s.stepId === 'config-check-api')!;
    assert.deepEqual([check.outcome, check.detail], ['failed', 'exit code 1']);
    assert.equal(result.journal.steps.find((s) => s.stepId === 'health-api')?.outcome, 'pending');
  });

  test('only compose-like deploys get --force-recreate, once; nothing is added without a config restore', async () => {
    assert.equal(withForceRecreate('docker-compose -f prod.yml up -d api'), 'docker-compose -f prod.yml up --force-recreate -d api');
    assert.equal(withForceRecreate('cd /srv && docker compose pull api && docker compose up -d api'), 'cd /srv && docker compose pull api && docker compose up --force-recreate -d api');
    assert.equal(withForceRecreate('docker compose up -d --force-recreate api'), 'docker compose up -d --force-recreate api');
    for (const c of ['sh scripts/deploy.sh api', 'docker compose restart api', 'echo docker compose up', 'systemctl restart api']) {
      assert.equal(withForceRecreate(c), c);
      assert.equal(isComposeUp(c), false, c);
    }
    const noConfig = { ...config, environments: [{ ...config.environments[0], configFiles: [] }] };
    const p = await buildPlan({ config: noConfig, environment: 'local', git: gitQueriesVia(local, repo.dir), from: repo.tags['v1.3.0'], to: repo.tags['v1.2.0'], targetSource: 'snapshot', reason: 'x', createdBy: 'dana@laptop' });
    assert.equal(p.steps.find((s) => s.id === 'deploy-api')?.commands[0].command, 'docker compose up -d api');
    assert.equal(p.steps.some((s) => s.id === 'config-check-api'), false);
  });
});
