// The preflight and the revert's git identity, on real targets: a clone of the fixture app
// as the "host" (run with no git identity at all: an empty HOME, no system config, no user.*),
// locally and over the real sshd as the key-only user rbtest.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { RollbackConfig } from '../../../src/core/config/types';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan, type PlanInput } from '../../../src/core/plan/planner';
import { operatorGitIdentity } from '../../../src/core/plan/preflight';
import type { CommandRunner } from '../../../src/core/ports';
import { RollbackRunner, type RunResult } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { appRepoConfig, makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { sshdUnavailable, startSshd, TEST_USER, type TestSshd, testSshRunner } from '../../support/sshd';
import { git, ScriptedPrompter, tempDir } from './helpers';

/** A deploy host's environment: no HOME config, no system config, no identity variables. */
function bareEnv(home: string): NodeJS.ProcessEnv {
  mkdirSync(home, { recursive: true });
  return { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' };
}

/** A clone with no user.* in its config (git clone writes none). */
function hostClone(source: string, dir: string): string {
  execFileSync('git', ['clone', '-q', source, dir], { stdio: 'ignore', env: bareEnv(join(dir, '..', 'clone-home')) });
  return dir;
}

function configFor(path: string, host = 'local', over: Partial<RollbackConfig['environments'][number]> = {}): RollbackConfig {
  const config = appRepoConfig({ apiPort: 1, workerPort: 2, host, path });
  config.services = [];
  config.environments[0] = { ...config.environments[0], ...over };
  return config;
}

const stepsOf = (r: RunResult) => r.journal.steps.map((s) => [s.stepId, s.outcome]);

describe('preflight and the revert identity (real git, real shells)', () => {
  const tmp = tempDir('preflight');
  let repo: AppRepo;
  let n = 0;
  const servers: Server[] = [];

  before(async () => {
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
  });
  after(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    tmp.cleanup();
  });

  const fresh = (): { host: string; home: string; runner: LocalCommandRunner; scratch: string } => {
    const dir = join(tmp.dir, `case-${++n}`);
    mkdirSync(dir, { recursive: true });
    const host = hostClone(repo.dir, join(dir, 'host'));
    const home = join(dir, 'home');
    const scratch = join(dir, 'scratch');
    mkdirSync(scratch);
    // The runner's own folder is a scratch one, so a payload that escaped quoting would leave its file there.
    return { host, home, scratch, runner: new LocalCommandRunner({ env: bareEnv(home), cwd: scratch }) };
  };
  const input = (config: RollbackConfig, over: Partial<PlanInput> = {}): PlanInput => ({
    config,
    environment: 'local',
    git: gitQueriesVia(new LocalCommandRunner(), repo.dir),
    to: 'v1.3.0',
    targetSource: 'previous-tag',
    reason: 'api /health answers 500',
    createdBy: 'dana@laptop',
    ...over,
  });
  const run = async (runner: CommandRunner, plan: Awaited<ReturnType<typeof buildPlan>>): Promise<RunResult> =>
    new RollbackRunner({ runnerFor: () => runner, journals: new FileJournalStore(join(tmp.dir, 'journals')), prompter: new ScriptedPrompter([{ action: 'stop' }]), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);

  test('a host with no git identity: the revert commits as the operator, and the plan says so', async () => {
    const f = fresh();
    const before = spawnSync('git', ['commit', '--allow-empty', '-m', 'x'], { cwd: f.host, env: bareEnv(f.home), encoding: 'utf8' });
    assert.notEqual(before.status, 0, 'precondition: the host cannot commit on its own');
    assert.match(before.stderr, /unable to auto-detect email address/);

    const plan = await buildPlan(input(configFor(f.host), { gitIdentity: { name: "Dana O'Hara", email: 'dana@shop.example' } }));
    const revert = plan.steps.find((s) => s.id === 'code-revert')!;
    assert.match(revert.why, /Committed as Dana O'Hara <dana@shop\.example>, the operator's git identity/);
    assert.equal(plan.createdBy, 'dana@laptop');
    const result = await run(f.runner, plan);
    assert.equal(result.success, true, result.state);
    assert.equal(git(f.host, 'log', '-1', '--format=%an <%ae> | %cn <%ce>'), "Dana O'Hara <dana@shop.example> | Dana O'Hara <dana@shop.example>");
    assert.match(git(f.host, 'log', '-1', '--format=%s'), /^Revert /);
    assert.equal(git(f.host, 'rev-parse', 'HEAD^{tree}'), git(repo.dir, 'rev-parse', 'v1.3.0^{tree}'));
    assert.deepEqual(stepsOf(result).slice(0, 3), [['notify-start', 'skipped'], ['preflight', 'ok'], ['stash', 'ok']]);
    assert.match(result.journal.steps[1].detail ?? '', /is a git work tree at [0-9a-f]{40} \(v1\.4\.0\)/);
  });

  test('an operator with no git identity: "<os user>" / "<os user>@<hostname>" from createdBy, said in the why', async () => {
    const f = fresh();
    const plan = await buildPlan(input(configFor(f.host), { createdBy: 'sam@oncall-7' }));
    assert.match(plan.steps.find((s) => s.id === 'code-revert')!.why, /Committed as sam <sam@oncall-7>: this machine has no git identity \(git config user\.name \/ user\.email\)/);
    const result = await run(f.runner, plan);
    assert.equal(result.success, true, result.state);
    assert.equal(git(f.host, 'log', '-1', '--format=%an <%ae>'), 'sam <sam@oncall-7>');
  });

  test('the operator\'s identity is read from this machine\'s git config; none when either half is missing', async () => {
    const f = fresh();
    assert.equal(await operatorGitIdentity(f.runner, f.host), undefined, 'empty HOME, no system config, a clone without user.*');
    git(f.host, 'config', 'user.name', 'Dana Deployer');
    assert.equal(await operatorGitIdentity(f.runner, f.host), undefined, 'a name without an email');
    git(f.host, 'config', 'user.email', 'dana@shop.example');
    assert.deepEqual(await operatorGitIdentity(f.runner, f.host), { name: 'Dana Deployer', email: 'dana@shop.example' });
  });

  test('an identity git would refuse is refused when planning, naming the setting', async () => {
    const f = fresh();
    await assert.rejects(buildPlan(input(configFor(f.host), { gitIdentity: { name: 'Dana', email: 'dana@shop.example>\nx' } })), /user\.email .* contains <, > or a control character; fix it with git config user\.email/);
  });

  test('the preflight is the first step with commands, before the stash, the database steps and the code', async () => {
    const f = fresh();
    const db = { id: 'db-000005', kind: 'database' as const, title: 'Down 000005', why: 'test', commands: [{ command: 'true', where: 'local' }], destructive: false };
    for (const strategy of ['revert', 'checkout', 'tag', 'image'] as const) {
      const config = configFor(f.host);
      if (strategy === 'image') config.services = [{ name: 'api', image: 'registry.example/api:{tag}', deploy: 'true', paths: [] }];
      const plan = await buildPlan(input(config, { strategy, databaseSteps: [db] }));
      const withCommands = plan.steps.filter((s) => s.commands.length > 0).map((s) => s.id);
      assert.equal(withCommands[0], 'preflight', `${strategy}: ${withCommands.join(' ')}`);
      assert.ok(withCommands.indexOf('preflight') < withCommands.indexOf('db-000005'));
    }
  });

  /** Runs a plan that must stop at the preflight: nothing after it ran, HEAD did not move. */
  async function refused(f: ReturnType<typeof fresh>, config: RollbackConfig, over: Partial<PlanInput> = {}): Promise<string> {
    const headBefore = existsSync(join(f.host, '.git')) ? git(f.host, 'rev-parse', 'HEAD') : undefined;
    const result = await run(f.runner, await buildPlan(input(config, over)));
    assert.equal(result.success, false);
    const pre = result.journal.steps.find((s) => s.stepId === 'preflight')!;
    assert.equal(pre.outcome, 'failed');
    const after = result.journal.steps.slice(result.journal.steps.indexOf(pre) + 1);
    assert.ok(after.every((s) => s.outcome === 'pending'), `nothing after the preflight ran: ${JSON.stringify(stepsOf(result))}`);
    if (headBefore) assert.equal(git(f.host, 'rev-parse', 'HEAD'), headBefore);
    return pre.detail ?? '';
  }

  test('each refusal has its own message naming the host and the path', async () => {
    const f = fresh();
    // A missing path: refused by the preflight (there is nothing to lock there), not by the lock.
    const missing = join(f.host, '..', 'no-such-app');
    assert.equal(await refused(f, configFor(missing)), `local:${missing} does not exist (no such directory on local); check environments.local.path in rollback.yml`);

    const plain = join(f.host, '..', 'plain');
    mkdirSync(plain);
    assert.match(await refused(f, configFor(plain)), /local:.*\/plain is not a git work tree \(git rev-parse --is-inside-work-tree\)/);

    assert.match(await refused(f, configFor(join(f.host, 'apps'))), /local:.*\/host\/apps is inside the git work tree .*\/host, not its top level/);

    git(f.host, 'checkout', '-q', '--detach', 'v1.2.0');
    assert.match(await refused(f, configFor(f.host)), /local:.*\/host: the target is at [0-9a-f]{40}, not at v1\.4\.0 \([0-9a-f]{40}\) nor at a commit with its code; the plan was made for v1\.4\.0/);
    git(f.host, 'checkout', '-q', 'main');

    // A release the host never fetched.
    git(repo.dir, 'tag', 'v9.9.9', git(repo.dir, 'commit-tree', '-p', 'HEAD', '-m', 'hotfix', 'HEAD^{tree}'));
    try {
      assert.match(await refused(f, configFor(f.host), { to: 'v9.9.9', strategy: 'checkout' }), /local:.*\/host has no commit [0-9a-f]{40} \(v9\.9\.9\); fetch it there first/);
    } finally {
      git(repo.dir, 'tag', '-d', 'v9.9.9');
    }
  });

  test('hostile release names reach the messages as text, never as shell', async () => {
    const f = fresh();
    git(f.host, 'checkout', '-q', '--detach', 'v1.2.0');
    const name = 'v1$(touch${IFS}PWNED)`touch${IFS}PWNED2`';
    const detail = await refused(f, configFor(f.host), { fromName: name, toName: "v0';touch PWNED3;'" });
    assert.ok(detail.includes(`not at ${name} (`), detail);
    for (const dir of [f.scratch, f.host, tmp.dir]) for (const file of ['PWNED', 'PWNED2', 'PWNED3']) assert.equal(existsSync(join(dir, file)), false, `${file} in ${dir}`);
  });

  test('the current health of each service is reported, not judged: "api answers 200", "worker is already down: 502", "jobs: no answer"', async () => {
    const f = fresh();
    const serve = async (status: number): Promise<number> => {
      const s = createServer((_req, res) => res.writeHead(status).end('x'));
      servers.push(s);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return (s.address() as { port: number }).port;
    };
    const [okPort, badPort] = [await serve(200), await serve(502)];
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const config = configFor(f.host);
    const health = (port: number) => ({ url: `http://127.0.0.1:${port}/health`, expect: 200, warmupMs: 0, timeoutMs: 300, intervalMs: 100 });
    config.services = [
      { name: 'api', health: health(okPort), paths: [] },
      { name: 'worker', health: health(badPort), paths: [] },
      { name: 'jobs', health: health(deadPort), paths: [] },
    ];
    const plan = await buildPlan(input(config));
    const pre = plan.steps.find((s) => s.id === 'preflight')!;
    assert.match(pre.why, /The current health of api, worker, jobs is reported, not judged/);
    const result = await run(f.runner, plan);
    const journaled = result.journal.steps.find((s) => s.stepId === 'preflight')!;
    assert.equal(journaled.outcome, 'ok', 'a service already down does not stop the preflight');
    assert.match(journaled.detail ?? '', /api answers 200; worker is already down: 502 \(expects 200\); jobs is already down: no answer from http:\/\/127\.0\.0\.1:\d+\/health \(curl: \(7\)/);
    assert.match(journaled.outputTail ?? '', /preflight: worker is already down: 502/);
    // The run went on: the revert ran, and the health step of the service that is down failed later, on its own.
    assert.equal(result.journal.steps.find((s) => s.stepId === 'code-revert')!.outcome, 'ok');
  });
});

const sshSkip = sshdUnavailable();

describe('the revert identity over the real sshd (rbtest has no git identity)', { skip: sshSkip }, () => {
  let sshd: TestSshd;
  const tmp = tempDir('preflight-ssh');
  let repo: AppRepo;
  const made: SshCommandRunner[] = [];

  before(async () => {
    sshd = await startSshd();
    chmodSync(tmp.dir, 0o755);
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
  });
  afterEach(async () => {
    while (made.length) await made.pop()!.dispose();
  });
  after(async () => {
    await sshd?.stop();
    tmp.cleanup();
  });

  const runner = (): SshCommandRunner => {
    const r = testSshRunner(sshd, tmp.dir);
    made.push(r);
    return r;
  };
  const hostFor = (name: string): string => {
    const dir = join(tmp.dir, name);
    execFileSync('git', ['clone', '-q', repo.dir, dir], { stdio: 'ignore' });
    execFileSync('chown', ['-R', `${TEST_USER}:`, dir], { stdio: 'ignore' });
    return dir;
  };

  test('the host user cannot commit by itself; the revert commits as the operator, and the commit shows it', async () => {
    const host = hostFor('srv-app');
    // The realistic deploy host: rbtest has no ~/.gitconfig with an identity, the clone has no user.*.
    const r = runner();
    const own = await r.run('git config user.email; echo "config=$?"; git var GIT_COMMITTER_IDENT', { cwd: host });
    assert.match(own.stdout, /^config=1$/m, `rbtest has a git identity: ${own.stdout}`);
    assert.notEqual(own.code, 0);
    assert.match(own.stderr, /unable to auto-detect email address/);

    const config = configFor(host, `${sshd.user}@127.0.0.1:${sshd.port}`);
    const plan = await buildPlan({ config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), repo.dir), to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api 500s', createdBy: 'dana@laptop', gitIdentity: { name: 'Dana Deployer', email: 'dana@shop.example' } });
    const result = await new RollbackRunner({ runnerFor: () => r, journals: new FileJournalStore(join(tmp.dir, 'journals')), prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, result.state);
    assert.equal(git(host, 'log', '-1', '--format=%an <%ae>'), 'Dana Deployer <dana@shop.example>');
    assert.match(result.journal.steps.find((s) => s.stepId === 'preflight')!.detail ?? '', new RegExp(`${sshd.user}@127\\.0\\.0\\.1:${sshd.port}:.*/srv-app is a git work tree at`));
    assert.equal(r.connections, 1, 'the preflight and every step shared one connection');
  });

  test('over SSH, a missing path is refused by the preflight, naming the host and the path; nothing after it ran (the journal shows it)', async () => {
    const r = runner();
    const where = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const gone = join(tmp.dir, 'srv-gone');
    const config = configFor(gone, where);
    const plan = await buildPlan({ config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), repo.dir), to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api 500s', createdBy: 'dana@laptop' });
    const journals = new FileJournalStore(join(tmp.dir, 'journals-gone'));
    // The lock would live in <path>/.rollback: with no path there is nothing to lock, and the preflight's refusal is what the operator reads.
    const result = await new RollbackRunner({ runnerFor: () => r, journals, prompter: new ScriptedPrompter([{ action: 'stop' }]), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, false);
    const message = `${where}:${gone} does not exist (no such directory on ${where}); check environments.local.path in rollback.yml`;
    assert.equal(result.state, `The preflight refused: ${message}. Nothing was changed.`);
    const journal = (await journals.load(plan.id))!;
    assert.equal(journal.status, 'failed');
    const pre = journal.steps.find((s) => s.stepId === 'preflight')!;
    assert.deepEqual([pre.outcome, pre.detail], ['failed', message]);
    assert.ok(journal.steps.filter((s) => s !== pre).every((s) => s.outcome === 'pending'), 'nothing else ran');
    assert.ok(journal.events.some((e) => e.kind === 'preflight-refused'));
    assert.ok(!existsSync(gone), 'the path was not created by the lock');
  });
});
