// The image strategy reads production too (issue 11.1/11.4), with real git and real sh, no
// registry: the environment's `deployed:` command says what each service runs, Record
// Pre-deploy Snapshot records it on the target, and the preflight checks the image the
// rollback goes to with the environment's `imageCheck:` command; a missing image, or a check
// that fails, stops the run in the preflight with the image, the service and the host named.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RollbackConfig } from '../../../src/core/config/types';
import { parseConfig } from '../../../src/core/config/parse';
import { environmentChoices, readTargetFacts } from '../../../src/app/targetFacts';
import type { RollbackSessions } from '../../../src/app/sessions';
import type { WorkspaceModel } from '../../../src/app/workspaceModel';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import { RollbackRunner } from '../../../src/core/run/runner';
import { DEFAULT_DEPLOYED, readDeployedImages } from '../../../src/core/snapshot/deployedImages';
import { snapshotExtras } from '../../../src/core/snapshot/describe';
import { takeSnapshot } from '../../../src/core/snapshot/snapshot';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { appRepoConfig, makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { git, ScriptedPrompter, tempDir } from '../engine/helpers';

const DIGEST = `sha256:${'4e'.repeat(32)}`;

describe('image strategy: what runs, recorded and shown; the image checked before anything changes (real git, real sh)', () => {
  const tmp = tempDir('image-strategy');
  let repo: AppRepo;
  let host: string;
  let config: RollbackConfig;
  const local = new LocalCommandRunner();

  before(async () => {
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
    host = join(tmp.dir, 'host');
    execFileSync('git', ['clone', '-q', repo.dir, host], { stdio: 'ignore' });
    git(host, 'checkout', '-q', '--detach', 'v1.3.0');
    // The host's own tools: which image a service's container runs, and which images the host has.
    mkdirSync(join(host, 'ops'));
    writeFileSync(join(host, 'ops', 'running.sh'), `case "$1" in api) echo "registry.example/shop-api:v1.3.0 ${DIGEST}" ;; *) echo "no container for $1" >&2; exit 1 ;; esac\n`);
    writeFileSync(join(host, 'ops', 'has-image.sh'), 'grep -qxF -- "$1" ops/images.txt || { echo "no such image: $1" >&2; exit 1; }\n');
    writeFileSync(join(host, 'ops', 'images.txt'), 'registry.example/shop-api:v1.3.0\n');
    config = appRepoConfig({ apiPort: 1, workerPort: 2, path: host, strategy: 'image' });
    Object.assign(config.environments[0], { name: 'production', deployed: 'sh ops/running.sh {service}', imageCheck: 'sh ops/has-image.sh {image}' });
    config.services = [
      { name: 'api', image: 'registry.example/shop-api:{tag}', deploy: 'docker compose up -d api', paths: [] },
      { name: 'worker', image: 'registry.example/shop-worker:{tag}', deploy: 'docker compose up -d worker', paths: [] },
    ];
  });
  after(() => tmp.cleanup());

  const plan = () => buildPlan({ config, environment: 'production', git: gitQueriesVia(local, repo.dir), from: repo.tags['v1.3.0'], fromName: 'v1.3.0', to: repo.tags['v1.2.0'], toName: 'v1.2.0', targetSource: 'snapshot', reason: 'api 500s', createdBy: 'dana@laptop' });
  const run = (p: Awaited<ReturnType<typeof plan>>) => new RollbackRunner({ runnerFor: () => local, journals: new FileJournalStore(join(tmp.dir, 'journals')), prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(p);

  test('Record Pre-deploy Snapshot records the image and digest each service runs, on the target, and says so', async () => {
    const snap = await takeSnapshot({ env: config.environments[0], services: config.services, runner: local, http: new NodeHttp(), cwd: host });
    assert.deepEqual(snap.images, [
      { service: 'api', image: 'registry.example/shop-api:v1.3.0', id: DIGEST },
      { service: 'worker', problem: 'local: the image of worker could not be read (deployed: failed: no container for worker)' },
    ]);
    const onTarget = JSON.parse(readFileSync(join(host, '.rollback', 'snapshots', `${repo.tags['v1.3.0']}.json`), 'utf8')) as { images: unknown };
    assert.deepEqual(onTarget.images, snap.images);
    assert.equal(snapshotExtras(snap), ` Images: api runs registry.example/shop-api:v1.3.0 (sha256:4e4e4e4e4e4e…); worker: local: the image of worker could not be read (deployed: failed: no container for worker).`);
  });

  test('a missing image is refused in the preflight, naming the image, the service, the host and what the check said; nothing after it runs', async () => {
    const p = await plan();
    const ids = p.steps.map((s) => s.id);
    assert.ok(ids.indexOf('preflight-image') < ids.indexOf('image-api'), ids.join(', '));
    const result = await run(p);
    assert.equal(result.success, false);
    const pre = result.journal.steps.find((s) => s.stepId === 'preflight-image')!;
    assert.deepEqual([pre.outcome, pre.detail], ['failed', 'exit code 1: image registry.example/shop-api:v1.2.0 (api, v1.2.0) is not there: imageCheck failed on local: no such image: registry.example/shop-api:v1.2.0']);
    const later = result.journal.steps.slice(result.journal.steps.indexOf(pre) + 1);
    assert.ok(later.every((s) => s.outcome === 'pending'), JSON.stringify(later.map((s) => [s.stepId, s.outcome])));
  });

  test('with every image there, the preflight passes and reports what runs now beside what the rollback goes to', async () => {
    writeFileSync(join(host, 'ops', 'images.txt'), 'registry.example/shop-api:v1.2.0\nregistry.example/shop-worker:v1.2.0\n');
    const p = await plan();
    const onlyPreflight = { ...p, steps: p.steps.filter((s) => s.id.startsWith('preflight') || s.id === 'notify-start') };
    const result = await run(onlyPreflight);
    assert.equal(result.success, true, result.state);
    assert.equal(result.journal.steps.find((s) => s.stepId === 'preflight-image')?.detail, `api runs registry.example/shop-api:v1.3.0 ${DIGEST} now; registry.example/shop-api:v1.2.0 is there; registry.example/shop-worker:v1.2.0 is there; what worker runs now could not be read on local`);
  });

  test('without deployed:, docker inspect of the Compose container reads it; a host without docker says so for each service, naming the host', async () => {
    const noDocker = new LocalCommandRunner({ env: { ...process.env, PATH: '/usr/bin:/bin' } });
    const read = await readDeployedImages(noDocker, {}, config.services, host);
    assert.deepEqual(read.map((r) => r.service), ['api', 'worker']);
    for (const r of read) assert.match(r.problem ?? '', new RegExp(`^local: the image of ${r.service} could not be read \\(docker inspect failed: .*docker.*not found\\)$`));
    assert.match(DEFAULT_DEPLOYED, /docker ps -q --filter label=com\.docker\.compose\.service=\{service\}/);
  });

  test('the environment picker says what each service runs on an image target, read by the flow over its runner', async () => {
    const workspace = { root: { fsPath: repo.dir }, useTargetFacts: () => undefined, releases: () => Promise.reject(new Error('not needed')) } as unknown as WorkspaceModel;
    const sessions = { runnerFor: () => new LocalCommandRunner() } as unknown as RollbackSessions;
    assert.equal(await readTargetFacts(workspace, sessions, config, 'production'), undefined, 'an image target need not be a git checkout');
    const [choice] = await environmentChoices(workspace, config);
    assert.match(choice.deployed ?? '', /^deployed: api runs registry\.example\/shop-api:v1\.3\.0 \(sha256:4e4e4e4e4e4e…\) · read \d+ s ago$/);
  });

  test('a quoted {image} in imageCheck or {service} in deployed is refused: in Problems, and by the planner', async () => {
    const yml = 'environments:\n  production:\n    host: deploy@prod-1\n    strategy: image\n    imageCheck: docker manifest inspect "{image}"\n    deployed: sh -c \'docker inspect {service}\'\n';
    const problems = parseConfig(yml, 'rollback.yml').diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(problems.map((d) => [d.path, d.line]), [['environments.production.imageCheck', 5], ['environments.production.deployed', 6]]);
    const bad = structuredClone(config);
    bad.environments[0].imageCheck = 'docker manifest inspect "{image}"';
    await assert.rejects(buildPlan({ config: bad, environment: 'production', git: gitQueriesVia(local, repo.dir), from: repo.tags['v1.3.0'], to: repo.tags['v1.2.0'], targetSource: 'snapshot', reason: 'x', createdBy: 'd' }), /imageCheck "docker manifest inspect "\{image\}"" cannot be filled in safely: \{image\} is inside double quotes/);
  });
});
