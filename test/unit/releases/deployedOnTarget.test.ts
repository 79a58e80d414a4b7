// What is deployed, read from the target (its HEAD, its tags, its snapshot file) and the plan
// made from it, on real git repositories and over the real sshd: the host, not the laptop's
// checkout, says what runs and where to go back to.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { EnvironmentConfig } from '../../../src/core/config/types';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import { emptyRecords, findDeployed, findLastKnownGood, listReleases } from '../../../src/core/releases';
import { DeployedReadError, readDeployed } from '../../../src/core/releases/deployedOnTarget';
import { RollbackRunner } from '../../../src/core/run/runner';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import type { RollbackSessions } from '../../../src/vscode/rollbackSessions';
import type { RollbackWorkspace } from '../../../src/vscode/rollbackWorkspace';
import { readTargetFacts, snapshotFallbackNote } from '../../../src/app/targetFacts';
import { appRepoConfig, makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { sshdUnavailable, startSshd, TEST_USER, type TestSshd, testSshRunner } from '../../support/sshd';
import { git, ScriptedPrompter, tempDir } from '../engine/helpers';

const envOf = (path: string, snapshot?: string, host = 'local'): EnvironmentConfig => ({ name: 'production', host, path, branch: 'main', strategy: 'revert', push: false, configFiles: [], commandTimeoutMs: 60_000, snapshot });

describe('readDeployed: bad input on the target (real git, real sh)', () => {
  const tmp = tempDir('deployed');
  let repo: AppRepo;
  let host: string;
  const runner = new LocalCommandRunner();
  const resolve = (ref: string) => gitQueriesVia(runner, repo.dir).revParseCommit(ref);

  before(async () => {
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
    host = join(tmp.dir, 'host');
    execFileSync('git', ['clone', '-q', repo.dir, host], { stdio: 'ignore' });
    git(host, 'checkout', '-q', '--detach', 'v1.3.0');
  });
  after(() => tmp.cleanup());

  const snap = (text: string | undefined): string => {
    const file = join(tmp.dir, `snap-${Math.random().toString(36).slice(2)}.txt`);
    if (text !== undefined) writeFileSync(file, text);
    return file;
  };

  test('HEAD, its tags and a snapshot naming a tag or a SHA', async () => {
    const byTag = await readDeployed(runner, envOf(host, snap('v1.1.0\n')), { resolve });
    assert.equal(byTag.sha, repo.tags['v1.3.0']);
    assert.deepEqual(byTag.tags, ['v1.3.0']);
    assert.deepEqual([byTag.snapshot?.sha, byTag.snapshot?.problem], [repo.tags['v1.1.0'], undefined]);
    // The format `git rev-parse HEAD > /tmp/pre-deploy-sha.txt` leaves (and Record Pre-deploy Snapshot writes).
    const bySha = await readDeployed(runner, envOf(host, snap(`${repo.tags['v1.2.0']}\n`)), { resolve });
    assert.equal(bySha.snapshot?.sha, repo.tags['v1.2.0']);
  });

  test("the tags at HEAD are exactly git tag --points-at HEAD --sort=-v:refname's, loose and packed (a tag of a tag at HEAD is not one)", async () => {
    const at = join(tmp.dir, 'tags-host');
    execFileSync('git', ['clone', '-q', repo.dir, at], { stdio: 'ignore' });
    git(at, 'checkout', '-q', '--detach', 'v1.3.0');
    const id = ['-c', 'user.name=T', '-c', 'user.email=t@example.com'];
    git(at, 'tag', 'v1.9');
    git(at, ...id, 'tag', '-a', '-m', 'ten', 'v1.10');
    git(at, 'tag', 'zz-not-a-release');
    git(at, ...id, 'tag', '-a', '-m', 'inner', 'inner');
    git(at, ...id, 'tag', '-a', '-m', 'outer', 'outer', 'inner');
    git(at, 'tag', 'elsewhere', 'v1.1.0');
    const expected = (): string[] => git(at, 'tag', '--points-at', 'HEAD', '--sort=-v:refname').split('\n').filter(Boolean);
    assert.deepEqual(expected(), ['zz-not-a-release', 'v1.10', 'v1.9', 'v1.3.0', 'inner'], 'the fixture');
    assert.deepEqual((await readDeployed(runner, envOf(at), { resolve })).tags, expected());
    git(at, 'pack-refs', '--all');
    git(at, 'tag', 'v1.3.0-loose');
    assert.deepEqual((await readDeployed(runner, envOf(at), { resolve })).tags, expected());
    assert.ok(expected().includes('v1.3.0-loose'));
    git(at, 'checkout', '-q', '--detach', 'v1.2.0');
    assert.deepEqual((await readDeployed(runner, envOf(at), { resolve })).tags, ['v1.2.0']);
  });

  test('the tags at HEAD are git tag --points-at HEAD --sort=-v:refname\'s for any set of tags: one or several, lightweight, annotated, nested, loose or packed (property, 25 sets)', async () => {
    const at = join(tmp.dir, 'tags-property');
    execFileSync('git', ['clone', '-q', repo.dir, at], { stdio: 'ignore' });
    git(at, 'checkout', '-q', '--detach', 'v1.3.0');
    const id = ['-c', 'user.name=T', '-c', 'user.email=t@example.com'];
    // A commit no tag names yet: what is at HEAD is the generated set alone (none, one, several).
    git(at, ...id, 'commit', '-q', '--allow-empty', '-m', 'deployed by hand');
    const spec = fc.record({
      name: fc.constantFrom('v2.0.0', 'v2.0.10', 'v2.0.9', 'rel/3.1', 'zz-late', 'a-first', 'v2.1.0-rc.1', 'deploy/2026-12-07'),
      kind: fc.constantFrom('lightweight', 'annotated', 'nested'),
      atHead: fc.boolean(),
    });
    const sets = fc.tuple(fc.uniqueArray(spec, { selector: (t) => t.name, minLength: 0, maxLength: 4 }), fc.boolean());
    const made: string[] = [];
    await fc.assert(
      fc.asyncProperty(sets, async ([tags, pack]) => {
        for (const name of made.splice(0)) git(at, 'tag', '-d', name);
        for (const t of tags) {
          const target = t.atHead ? 'HEAD' : 'v1.1.0';
          if (t.kind === 'lightweight') git(at, 'tag', t.name, target);
          else if (t.kind === 'annotated') git(at, ...id, 'tag', '-a', '-m', t.name, t.name, target);
          else {
            git(at, ...id, 'tag', '-a', '-m', 'inner', `${t.name}-inner`, target);
            git(at, ...id, 'tag', '-a', '-m', 'outer', t.name, `${t.name}-inner`);
            made.push(`${t.name}-inner`);
          }
          made.push(t.name);
        }
        if (pack) git(at, 'pack-refs', '--all');
        const expected = git(at, 'tag', '--points-at', 'HEAD', '--sort=-v:refname').split('\n').filter(Boolean);
        assert.deepEqual((await readDeployed(runner, envOf(at), { resolve })).tags, expected, JSON.stringify({ tags, pack }));
      }),
      { numRuns: 25 },
    );
  });

  test('an empty file, a line with no SHA, a commit the local repository lacks, no file: each names the host and the file', async () => {
    const cases: Array<[string | undefined, RegExp]> = [
      ['', /^local:.*snap-\w+\.txt is empty \(its first line names no SHA or tag\)$/],
      ['\n\nv1.1.0\n', /is empty/],
      ['deployed at noon, all good\n', /^local:.*snap-\w+\.txt holds no SHA or tag name on its first line \("deployed at noon, all good"\)$/],
      [`${'d'.repeat(40)}\n`, new RegExp(`^local:.*snap-\\w+\\.txt names "${'d'.repeat(40)}", which is not a commit of the local repository`)],
      ['v7.7.7\n', /names "v7\.7\.7", which is not a commit of the local repository/],
      [undefined, /^local:.*snap-\w+\.txt does not exist \(no pre-deploy snapshot was recorded on the target\)$/],
    ];
    for (const [text, expected] of cases) {
      const d = await readDeployed(runner, envOf(host, snap(text)), { resolve });
      assert.equal(d.snapshot?.sha, undefined, String(text));
      assert.match(d.snapshot?.problem ?? '', expected);
      assert.equal(d.sha, repo.tags['v1.3.0'], 'HEAD is read all the same');
    }
  });

  test('a bad snapshot falls back to the next source, and says so', async () => {
    const d = await readDeployed(runner, envOf(host, snap('')), { resolve });
    const listing = await listReleases(new SimpleGitPort(repo.dir), { tagPattern: 'v*', records: { ...emptyRecords(), snapshotSha: d.snapshot?.sha }, targetHeadSha: d.sha });
    const lkg = findLastKnownGood(listing)!;
    assert.deepEqual([lkg.release.name, lkg.source], ['v1.2.0', 'previous-tag']);
    assert.match(snapshotFallbackNote(d, lkg.release, lkg.source) ?? '', /^local:.*snap-\w+\.txt is empty \(its first line names no SHA or tag\); the rollback target v1\.2\.0 comes from the previous SemVer tag instead\.$/);
    const good = await readDeployed(runner, envOf(host, snap('v1.1.0')), { resolve });
    assert.equal(snapshotFallbackNote(good, lkg.release, 'snapshot'), undefined, 'nothing to say when the snapshot was used');
  });

  test('the flow\'s read: a HEAD the local repository lacks is refused before planning; the listing follows the target otherwise', async () => {
    // The VS Code-side workspace and sessions, reduced to what readTargetFacts uses (the runners are real).
    let facts: unknown = 'unset';
    const workspace = { root: { fsPath: repo.dir }, useTargetFacts: (f: unknown) => (facts = f) } as unknown as RollbackWorkspace;
    const sessions = { runnerFor: () => new LocalCommandRunner() } as unknown as RollbackSessions;
    const config = appRepoConfig({ apiPort: 1, workerPort: 2, path: host });
    const read = await readTargetFacts(workspace, sessions, config, 'local');
    assert.deepEqual(facts, { headSha: repo.tags['v1.3.0'], snapshotSha: undefined });
    assert.equal(read?.sha, repo.tags['v1.3.0']);
    assert.equal(read?.tags, undefined, 'a plan needs no tags: not listed');
    assert.deepEqual((await readTargetFacts(workspace, sessions, config, 'local', { tags: true }))?.tags, ['v1.3.0']);
    const hotfix = join(tmp.dir, 'hotfix-host');
    execFileSync('git', ['clone', '-q', host, hotfix], { stdio: 'ignore' });
    execFileSync('git', ['-c', 'user.name=ops', '-c', 'user.email=ops@host', 'commit', '-q', '--allow-empty', '-m', 'hotfix on the host'], { cwd: hotfix });
    await assert.rejects(readTargetFacts(workspace, sessions, appRepoConfig({ apiPort: 1, workerPort: 2, path: hotfix }), 'local'), /^Error: local:.*\/hotfix-host runs [0-9a-f]{40}, which is not a commit of this repository: git fetch --tags here/);
    await assert.rejects(readTargetFacts(workspace, sessions, config, 'staging'), /rollback\.yml has no environment "staging" \(known: local\)/);
  });

  test('a missing path and a folder that is not a git work tree are refused, naming the host and the path', async () => {
    await assert.rejects(readDeployed(runner, envOf(join(tmp.dir, 'gone')), { resolve }), (e: Error) => e instanceof DeployedReadError && /^local:.*\/gone does not exist: check environments\.production\.path in rollback\.yml$/.test(e.message));
    const plain = join(tmp.dir, 'plain');
    mkdirSync(plain);
    await assert.rejects(readDeployed(runner, envOf(plain), { resolve }), /^DeployedReadError: local:.*\/plain is not a git work tree with a commit/);
  });
});

describe('the plan follows what the host says (real sshd)', { skip: sshdUnavailable() }, () => {
  let sshd: TestSshd;
  const tmp = tempDir('deployed-ssh');
  let repo: AppRepo;
  let host: string;
  let ssh: SshCommandRunner;

  before(async () => {
    sshd = await startSshd();
    chmodSync(tmp.dir, 0o755);
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
    host = join(tmp.dir, 'srv-app');
    execFileSync('git', ['clone', '-q', repo.dir, host], { stdio: 'ignore' });
    // The host runs v1.3.0 (the laptop's checkout is at v1.4.0); its deploy pipeline wrote the snapshot before deploying.
    git(host, 'checkout', '-q', '--detach', 'v1.3.0');
    writeFileSync(join(tmp.dir, 'pre-deploy-sha.txt'), `${repo.tags['v1.1.0']}\n`);
    execFileSync('chown', ['-R', `${TEST_USER}:`, host, join(tmp.dir, 'pre-deploy-sha.txt')], { stdio: 'ignore' });
    ssh = testSshRunner(sshd, tmp.dir);
  });
  after(async () => {
    await ssh?.dispose();
    await sshd?.stop();
    tmp.cleanup();
  });

  test('the host\'s snapshot names v1.1.0 and its HEAD is v1.3.0, while the local checkout is at v1.4.0 with a deploy record of v1.4.0: the plan goes v1.3.0 → v1.1.0', async () => {
    const local = new LocalCommandRunner();
    const env = envOf(host, join(tmp.dir, 'pre-deploy-sha.txt'), `${sshd.user}@127.0.0.1:${sshd.port}`);
    const d = await readDeployed(ssh, env, { resolve: (ref) => gitQueriesVia(local, repo.dir).revParseCommit(ref) });
    assert.deepEqual([d.sha, d.tags, d.snapshot?.sha], [repo.tags['v1.3.0'], ['v1.3.0'], repo.tags['v1.1.0']]);
    assert.equal(ssh.connections, 1);

    const records = { ...emptyRecords(), deploys: [{ sha: repo.tags['v1.4.0'], at: '2026-12-01T20:00:00Z', environment: 'production', tag: 'v1.4.0' }] };
    const gitPort = new SimpleGitPort(repo.dir);
    const laptop = await listReleases(gitPort, { tagPattern: 'v*', records });
    assert.deepEqual([findDeployed(laptop)?.name, findLastKnownGood(laptop)?.release.name], ['v1.4.0', 'v1.3.0'], 'what the laptop alone would believe');
    const listing = await listReleases(gitPort, { tagPattern: 'v*', records: { ...records, snapshotSha: d.snapshot?.sha }, targetHeadSha: d.sha });
    const deployed = findDeployed(listing)!;
    const lkg = findLastKnownGood(listing)!;
    assert.deepEqual([deployed.name, lkg.release.name, lkg.source], ['v1.3.0', 'v1.1.0', 'snapshot']);

    const config = appRepoConfig({ apiPort: 1, workerPort: 2, host: env.host, path: host });
    config.services = [];
    const plan = await buildPlan({ config, environment: 'local', git: gitQueriesVia(local, repo.dir), from: deployed.sha, fromName: deployed.name, to: lkg.release.sha, toName: lkg.release.name, targetSource: lkg.source, reason: 'api 500s', createdBy: 'dana@laptop', gitIdentity: { name: 'Dana Deployer', email: 'dana@shop.example' } });
    assert.deepEqual([plan.from.name, plan.to.name, plan.targetSource], ['v1.3.0', 'v1.1.0', 'snapshot']);
    const result = await new RollbackRunner({ runnerFor: () => ssh, journals: new FileJournalStore(join(tmp.dir, 'journals')), prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, result.state);
    assert.equal(git(host, 'rev-parse', 'HEAD^{tree}'), git(repo.dir, 'rev-parse', 'v1.1.0^{tree}'), 'the host runs v1.1.0\'s code');
  });
});
