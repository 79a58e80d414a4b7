// What runs is what was previewed, or nothing runs: a real repository and a real target
// working tree (a clone, on this machine), each fact changed between the preview and the
// confirmation, the plan rebuilt as the flow does it at run start, and the refusal read.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../../src/core/config';
import type { RollbackConfig } from '../../../src/core/config/types';
import { codeStepPlace } from '../../../src/app/planning';
import { previewPlan, rebuildAndCompare, type PlanBuilder, type PlanningSources, type PlanRequest, type PreviewedRequest } from '../../../src/app/currentPlan';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan, planDigest } from '../../../src/core/plan/planner';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import { shJoin, shQuote } from '../../../src/core/plan/shellQuote';
import { StalePlanError } from '../../../src/core/plan/staleness';
import type { PlanStep } from '../../../src/core/plan/types';
import { findDeployed, findLastKnownGood, listReleases } from '../../../src/core/releases';
import { RollbackRunner, RunRefusedError } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { makeAppRepo } from '../../fixtures/appRepo';
import { sshdUnavailable, startSshd, TEST_USER, type TestSshd } from '../../support/sshd';
import type { CommandRunner } from '../../../src/core/ports';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { git, HeadReadCounter, ScriptedPrompter, tempDir } from './helpers';

const dirs: Array<{ cleanup(): void }> = [];
after(() => dirs.forEach((d) => d.cleanup()));

function configText(target: string, ran: string, build = 'build-api', host = 'local'): string {
  return `releases: { tags: "v*" }
environments:
  production:
    host: ${host}
    path: ${JSON.stringify(target)}
    branch: main
    strategy: revert
services:
  api:
    build: ${JSON.stringify(`echo ${build} >> ${shQuote(ran)}`)}
    deploy: ${JSON.stringify(`echo deploy-api >> ${shQuote(ran)}`)}
    paths: ["apps/api/**"]
migrations:
  tool: golang-migrate
  dir: db/migrations
`;
}

interface Setup {
  workspace: string;
  target: string;
  /** Every command the plan runs on the target appends here: absent means nothing ran. */
  ran: string;
  journals: FileJournalStore;
  sources: PlanningSources;
  build: PlanBuilder;
  request(): Promise<PlanRequest>;
}

/** `remote`: the target is a tree the SSH test user owns, read over the real sshd. */
async function setup(remote?: { host: string; runner(): CommandRunner }): Promise<Setup> {
  const tmp = tempDir('stale');
  dirs.push(tmp);
  const workspace = join(tmp.dir, 'workspace');
  await makeAppRepo(workspace, { apiPort: 1, workerPort: 2, withMergeCommit: false });
  const target = join(tmp.dir, 'target');
  execFileSync('git', ['clone', '-q', workspace, target]);
  if (remote) execFileSync('chmod', ['755', tmp.dir]);
  const ran = join(tmp.dir, 'ran.txt');
  writeFileSync(join(workspace, 'rollback.yml'), configText(target, ran, 'build-api', remote?.host));
  git(workspace, 'commit', '-qam', 'rollback.yml: production is the clone');
  git(workspace, 'tag', '-f', '-a', 'v1.4.0', '-m', 'Release v1.4.0');
  git(target, 'fetch', '-q', '--tags', '--force', 'origin');
  git(target, 'reset', '-q', '--hard', 'origin/main');
  if (remote) execFileSync('chown', ['-R', `${TEST_USER}:`, target]);
  const local = new LocalCommandRunner();
  const gitPort = new SimpleGitPort(workspace);
  const sources: PlanningSources = {
    config: () => {
      const text = readFileSync(join(workspace, 'rollback.yml'), 'utf8');
      const parsed = parseConfig(text, 'rollback.yml');
      if (!parsed.config) throw new Error(`rollback.yml: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
      return Promise.resolve({ config: parsed.config, text });
    },
    releases: () => listReleases(gitPort, { tagPattern: 'v*', records: { deploys: [], bad: [] } }),
    git: gitQueriesVia(local, workspace),
    migrationFiles: () => {
      const dir = join(workspace, 'db/migrations');
      return Promise.resolve(Object.fromEntries(readdirSync(dir).sort().map((f) => [`db/migrations/${f}`, readFileSync(join(dir, f), 'utf8')])));
    },
    targetRunner: () => remote?.runner() ?? new LocalCommandRunner(),
  };
  // The database-steps builder of these tests: one down step per migration the bad release added, its down SQL on stdin (as dbPlan feeds psql).
  const databaseSteps = async (fromSha: string, toSha: string): Promise<PlanStep[]> => {
    const added = git(workspace, 'diff', '--name-only', '--diff-filter=A', toSha, fromSha, '--', 'db/migrations').split('\n').filter((f) => f.endsWith('.up.sql'));
    return added.reverse().map((up) => {
      const down = up.replace(/\.up\.sql$/, '.down.sql');
      return { id: `db-${up.split('/').pop()}`, kind: 'database', title: `Undo ${up}`, why: 'One down step.', commands: [{ command: shJoin(['sh', '-c', `cat >> ${shQuote(ran)}`]), where: 'local', cwd: target, input: readFileSync(join(workspace, down), 'utf8') }], destructive: false };
    });
  };
  const build: PlanBuilder = async (req) =>
    buildPlan({
      config: req.config,
      environment: req.environment,
      git: gitQueriesVia(local, workspace),
      from: req.from?.sha ?? 'HEAD',
      fromName: req.from?.name,
      to: req.to.sha,
      toName: req.to.name,
      targetSource: 'previous-tag',
      reason: 'api 500s',
      createdBy: 'dana@laptop',
      workspaceRoot: workspace,
      databaseSteps: req.from ? await databaseSteps(req.from.sha, req.to.sha) : undefined,
      runId: req.runId,
      now: req.now,
    });
  const request = async (): Promise<PlanRequest> => {
    const listing = await sources.releases();
    return { environment: 'production', from: findDeployed(listing), to: findLastKnownGood(listing)!.release };
  };
  return { workspace, target, ran, journals: new FileJournalStore(join(tmp.dir, 'journals')), sources, build, request };
}

async function preview(s: Setup): Promise<PreviewedRequest> {
  return previewPlan(s.sources, s.build, await s.request(), () => Promise.reject(new Error('no database question in these plans')));
}

/** Confirmation → rebuild from the current facts → run, as the flow does it. */
async function confirmAndRun(s: Setup, previewed: PreviewedRequest) {
  const plan = await rebuildAndCompare(s.sources, s.build, previewed);
  return new RollbackRunner({ runnerFor: () => new LocalCommandRunner(), journals: s.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan, { expectedDigest: previewed.digest });
}

async function refused(s: Setup, previewed: PreviewedRequest, targetHead: string): Promise<string[]> {
  const err = await confirmAndRun(s, previewed).then(
    () => assert.fail('the run was not refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StalePlanError, `a StalePlanError, got ${String(err)}`);
  assert.match(err.message, /nothing ran/);
  assert.equal(existsSync(s.ran), false, 'no step ran: no command of the plan left its mark');
  assert.equal(await s.journals.load(previewed.plan.id), undefined, 'no journal: the run never started');
  assert.equal(git(s.target, 'rev-parse', 'HEAD'), targetHead, 'the target did not move');
  return err.differences;
}

describe('the plan is rebuilt from the current facts at run start', () => {
  test('nothing changed: the rebuilt plan has the preview\'s digest and runs', async () => {
    const s = await setup();
    const previewed = await preview(s);
    assert.equal(previewed.preview, renderPlanMarkdown(previewed.plan));
    assert.equal(previewed.facts.target, git(s.target, 'rev-parse', 'HEAD'), 'the target\'s HEAD was read on the target');
    const result = await confirmAndRun(s, previewed);
    assert.equal(result.success, true, result.state);
    assert.match(readFileSync(s.ran, 'utf8'), /build-api\ndeploy-api/);
  });

  test('a new commit on the from ref (the workspace HEAD moved): refused, saying so', async () => {
    const s = await setup();
    const targetHead = git(s.target, 'rev-parse', 'HEAD');
    const listing = await s.sources.releases();
    // Planned from HEAD (no deployed release recorded): the new commit is what the rebuilt plan would roll back.
    const previewed = await previewPlan(s.sources, s.build, { environment: 'production', to: findLastKnownGood(listing)!.release }, () => Promise.resolve(undefined));
    const before = git(s.workspace, 'rev-parse', 'HEAD');
    writeFileSync(join(s.workspace, 'apps/api/hotfix.js'), 'module.exports = 1;\n');
    git(s.workspace, 'add', '.');
    git(s.workspace, '-c', 'user.name=Sam', '-c', 'user.email=sam@shop.example', 'commit', '-qm', 'api: hotfix');
    const after = git(s.workspace, 'rev-parse', 'HEAD');
    const diffs = await refused(s, previewed, targetHead);
    assert.ok(diffs.includes(`the workspace HEAD moved since the preview: ${before.slice(0, 12)} → ${after.slice(0, 12)}`), diffs.join('\n'));
    assert.ok(diffs.some((d) => d.startsWith(`the release rolled back from is now ${after.slice(0, 12)}`)), diffs.join('\n'));
  });

  test('the target tag moved: refused, naming the tag and both SHAs', async () => {
    const s = await setup();
    const targetHead = git(s.target, 'rev-parse', 'HEAD');
    const previewed = await preview(s);
    const was = previewed.plan.to.sha;
    const now = git(s.workspace, 'rev-parse', 'v1.2.0^{commit}');
    git(s.workspace, 'tag', '-f', '-a', 'v1.3.0', '-m', 'Release v1.3.0 (re-tagged)', now);
    const diffs = await refused(s, previewed, targetHead);
    assert.ok(diffs.includes(`v1.3.0 now points at ${now.slice(0, 12)}, the preview was made with ${was.slice(0, 12)}`), diffs.join('\n'));
    assert.ok(diffs.some((d) => d.startsWith(`the release rolled back to is now v1.3.0 ${now.slice(0, 12)}`)), diffs.join('\n'));
  });

  test('rollback.yml edited: refused with the hash change and the step whose command changed', async () => {
    const s = await setup();
    const targetHead = git(s.target, 'rev-parse', 'HEAD');
    const previewed = await preview(s);
    writeFileSync(join(s.workspace, 'rollback.yml'), configText(s.target, s.ran, 'build-api-twice'));
    const diffs = await refused(s, previewed, targetHead);
    assert.ok(diffs.some((d) => /^rollback\.yml changed since the preview \(hash [0-9a-f]{12} → [0-9a-f]{12}\)$/.test(d)), diffs.join('\n'));
    const n = previewed.plan.steps.findIndex((x) => x.id === 'build-api') + 1;
    assert.ok(diffs.some((d) => d.startsWith(`step ${n} "Build api"'s command changed: echo build-api >> `) && d.includes('→ echo build-api-twice >> ')), diffs.join('\n'));
  });

  test('a comment-only edit of rollback.yml refuses too: the file the user reasoned about is not the file now', async () => {
    const s = await setup();
    const previewed = await preview(s);
    writeFileSync(join(s.workspace, 'rollback.yml'), `# edited during the incident\n${readFileSync(join(s.workspace, 'rollback.yml'), 'utf8')}`);
    const diffs = await refused(s, previewed, git(s.target, 'rev-parse', 'HEAD'));
    assert.equal(diffs.length, 1, diffs.join('\n'));
    assert.match(diffs[0], /^rollback\.yml changed since the preview/);
  });

  test('a migration file added in the workspace: refused, naming the file', async () => {
    const s = await setup();
    const previewed = await preview(s);
    writeFileSync(join(s.workspace, 'db/migrations/000006_orders_add_note.up.sql'), 'ALTER TABLE orders ADD COLUMN note text;\n');
    const diffs = await refused(s, previewed, git(s.target, 'rev-parse', 'HEAD'));
    assert.ok(diffs.includes('migration db/migrations/000006_orders_add_note.up.sql was added since the preview'), diffs.join('\n'));
  });

  test('a migration\'s down file changed: refused, naming the file and the database step whose input changed', async () => {
    const s = await setup();
    const previewed = await preview(s);
    assert.ok(previewed.plan.steps.some((x) => x.id === 'db-000005_orders_drop_legacy_status.up.sql'), 'the bad release\'s migration has its down step');
    writeFileSync(join(s.workspace, 'db/migrations/000005_orders_drop_legacy_status.down.sql'), 'ALTER TABLE orders ADD COLUMN legacy_status text NOT NULL;\n');
    const diffs = await refused(s, previewed, git(s.target, 'rev-parse', 'HEAD'));
    assert.ok(diffs.some((d) => /^migration db\/migrations\/000005_orders_drop_legacy_status\.down\.sql changed since the preview \(content hash/.test(d)), diffs.join('\n'));
    assert.ok(diffs.some((d) => /step \d+ "Undo db\/migrations\/000005_orders_drop_legacy_status\.up\.sql"'s command now runs as .*NOT NULL/.test(d)), diffs.join('\n'));
  });

  test('the target read while the plan is built counts only where the plan runs: the expected place is read once, a wrong guess again where the plan says', async () => {
    const s = await setup();
    const counter = new HeadReadCounter();
    const place = (config: RollbackConfig, environment: string) => codeStepPlace({ config, environment, workspaceRoot: s.workspace });
    const right: PlanningSources = { ...s.sources, targetRunner: (where) => counter.wrap(s.sources.targetRunner(where)), targetPlace: place };
    const head = git(s.target, 'rev-parse', 'HEAD');
    const noQuestion = () => Promise.reject(new Error('no database question in these plans'));
    const previewed = await previewPlan(right, s.build, await s.request(), noQuestion);
    assert.deepEqual(place((await s.sources.config()).config, 'production'), { where: 'local', cwd: s.target, strategy: previewed.plan.strategy });
    assert.equal(previewed.facts.target, head);
    assert.equal(counter.reads, 1, 'read once, while the plan was built');
    // A guess of another folder (not a git work tree): the plan's own target is what the facts say.
    counter.reads = 0;
    const wrong: PlanningSources = { ...right, targetPlace: (config, environment) => ({ ...place(config, environment)!, cwd: '/' }) };
    const again = await previewPlan(wrong, s.build, await s.request(), noQuestion);
    assert.equal(again.facts.target, head);
    assert.equal(counter.reads, 2, 'read at the guess, then where the plan runs');
    assert.deepEqual(again.facts, previewed.facts, 'the same facts either way');
  });

  test('the target\'s deployed SHA changed (someone deployed there meanwhile): refused, with both SHAs', async () => {
    const s = await setup();
    const previewed = await preview(s);
    const was = git(s.target, 'rev-parse', 'HEAD');
    git(s.target, 'reset', '-q', '--hard', 'v1.2.0');
    const now = git(s.target, 'rev-parse', 'HEAD');
    const diffs = await refused(s, previewed, now);
    assert.ok(diffs.includes(`the target (local in ${s.target}) is now at ${now.slice(0, 12)}, the preview was made for ${was.slice(0, 12)}`), diffs.join('\n'));
  });

  test('the runner refuses a plan whose digest is not the preview\'s: the last line of defence', async () => {
    const s = await setup();
    const previewed = await preview(s);
    const plan = await rebuildAndCompare(s.sources, s.build, previewed);
    plan.steps.find((x) => x.id === 'build-api')!.commands[0].command = `echo swapped >> ${shQuote(s.ran)}`;
    const runner = new RollbackRunner({ runnerFor: () => new LocalCommandRunner(), journals: s.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' });
    await assert.rejects(runner.run(plan, { expectedDigest: previewed.digest }), RunRefusedError);
    assert.equal(existsSync(s.ran), false);
  });
});

const notRoot = process.getuid?.() !== 0 ? sshdUnavailable() : undefined;

describe('the target read over SSH (real sshd)', { skip: notRoot }, () => {
  let sshd: TestSshd;
  const runners: CommandRunner[] = [];
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    for (const r of runners) await r.dispose();
    await sshd?.stop();
  });

  test('someone deployed on the host between preview and confirmation: refused with the host, the path and both SHAs', async () => {
    const host = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const runner = (): CommandRunner => {
      const r = new SshCommandRunner({ destination: host, hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') }, knownHostsFiles: [sshd.knownHostsPath], identityFiles: [sshd.keyPath], sshConfigFile: join(sshd.dir, 'no-ssh-config'), agent: false });
      runners.push(r);
      return r;
    };
    const s = await setup({ host, runner });
    const previewed = await preview(s);
    assert.equal(previewed.plan.where, host);
    const was = git(s.target, 'rev-parse', 'HEAD');
    assert.equal(previewed.facts.target, was, 'the deployed SHA was read on the host, over SSH');
    execFileSync('runuser', ['-u', TEST_USER, '--', 'git', '-C', s.target, 'reset', '-q', '--hard', 'v1.2.0']);
    const now = git(s.target, 'rev-parse', 'HEAD');
    const diffs = await refused(s, previewed, now);
    assert.deepEqual(diffs, [`the target (${host} in ${s.target}) is now at ${now.slice(0, 12)}, the preview was made for ${was.slice(0, 12)}`]);
  });
});

describe('planDigest: the preview text and every command', () => {
  test('a change only the preview shows (a step\'s why) changes the digest; so does one only the machine sees (a command\'s cwd)', async () => {
    const s = await setup();
    const { plan } = await preview(s);
    const d = planDigest(plan);
    const a = structuredClone(plan);
    a.steps[1].why += ' (edited)';
    assert.notEqual(planDigest(a), d);
    const b = structuredClone(plan);
    b.steps.find((x) => x.commands.length)!.commands[0].cwd = '/elsewhere';
    assert.notEqual(planDigest(b), d);
    assert.equal(planDigest(structuredClone(plan)), d, 'the same plan, the same digest');
  });
});

describe('image strategy preflight (real dash, a docker on the PATH that answers like the real one)', () => {
  test('refuses a missing image before anything changes, names it; passes when the image is there', async () => {
    const tmp = tempDir('img');
    dirs.push(tmp);
    const repo = await makeAppRepo(join(tmp.dir, 'app'), { apiPort: 1, workerPort: 2 });
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    // inspect finds only the images listed in images.txt; every call is logged.
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\necho "$*" >> ${shQuote(join(tmp.dir, 'docker.log'))}\ncase "$1 $2" in\n  "version "*) exit 0 ;;\n  "image inspect"|"manifest inspect") grep -qxF "$3" ${shQuote(join(tmp.dir, 'images.txt'))} ;;\n  *) exit 0 ;;\nesac\n`, { mode: 0o755 });
    writeFileSync(join(tmp.dir, 'images.txt'), 'registry.example/shop-api:v1.2.0\n');
    const cfgText = readFileSync(join(repo.dir, 'rollback.yml'), 'utf8').replace('strategy: revert', 'strategy: image').replace('    build: sh scripts/build.sh api\n', '    build: sh scripts/build.sh api\n    image: "registry.example/shop-api:{tag}"\n');
    const cfg = parseConfig(cfgText, 'rollback.yml').config!;
    const plan = await buildPlan({ config: cfg, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), repo.dir), to: 'v1.3.0', targetSource: 'previous-tag', reason: 'x', createdBy: 'dana@laptop', workspaceRoot: repo.dir });
    const ids = plan.steps.map((x) => x.id);
    const pre = plan.steps.find((x) => x.id === 'preflight-image')!;
    assert.ok(pre, ids.join(', '));
    assert.ok(ids.indexOf('preflight-image') < ids.indexOf('image-api'), `before the pull: ${ids.join(', ')}`);
    const run = (script: string) => {
      try {
        execFileSync('dash', ['-c', script], { cwd: repo.dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        return { code: 0, stderr: '' };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { code: err.status, stderr: err.stderr };
      }
    };
    const missing = run(pre.commands[0].command);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /image registry\.example\/shop-api:v1\.3\.0 \(api, v1\.3\.0\) is neither on local nor in its registry/);
    assert.match(readFileSync(join(tmp.dir, 'docker.log'), 'utf8'), /^version\nimage inspect registry\.example\/shop-api:v1\.3\.0\nmanifest inspect registry\.example\/shop-api:v1\.3\.0\n$/);
    writeFileSync(join(tmp.dir, 'images.txt'), 'registry.example/shop-api:v1.3.0\n');
    assert.equal(run(pre.commands[0].command).code, 0);
    const noDocker = spawnSync('dash', ['-c', pre.commands[0].command], { cwd: repo.dir, env: { ...process.env, PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
    assert.equal(noDocker.status, 1);
    assert.match(noDocker.stderr, /docker is not callable on local/);
  });
});
