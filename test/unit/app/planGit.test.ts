// The planner's git (app/planGit.ts) on a real repository: refs asked together cost one git
// process and answer exactly as asked alone (a bad one fails alone, with its own message), a
// question asked again while git answers it waits for that answer, and a plan built after
// prefetchPlanQuestions is the plan gitQueriesVia builds, from fewer processes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { immutablePlanGit, prefetchPlanQuestions } from '../../../src/app/planGit';
import { parseConfig } from '../../../src/core/config';
import { gitQueriesVia } from '../../../src/core/plan';
import { buildPlan } from '../../../src/core/plan/planner';
import type { CommandRunner, ExecOptions } from '../../../src/core/ports';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { GitFixture, gitEnv, tempDir } from '../releases/gitFixture';

/** A local runner that keeps every command line it ran. */
class CountingRunner implements CommandRunner {
  readonly where = 'local';
  readonly commands: string[] = [];
  private readonly inner = new LocalCommandRunner({ env: gitEnv() });
  run(command: string, options?: ExecOptions) {
    this.commands.push(command);
    return this.inner.run(command, options);
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

void describe('planGit: one process for what is asked together, the same answers', () => {
  const tmp = tempDir('plangit');
  let repo: GitFixture;
  let shas: string[];

  before(() => {
    repo = new GitFixture(tmp.path);
    shas = [];
    for (let i = 1; i <= 4; i++) {
      shas.push(repo.commit(`change ${i}`, { 'api/app.txt': `${i}`, [`docs/${i}.md`]: 'x' }));
      repo.tag(`v1.0.${i}`, { annotated: i % 2 === 0 });
    }
  });
  after(() => tmp.remove());

  void it('resolves refs asked in the same turn with one git rev-parse, each to what it names', async () => {
    const runner = new CountingRunner();
    const git = immutablePlanGit(runner, repo.dir);
    const got = await Promise.all(['refs/tags/v1.0.4', 'refs/tags/v1.0.1', 'HEAD', 'HEAD~2'].map((r) => git.revParseCommit(r)));
    assert.deepEqual(got, [shas[3], shas[0], shas[3], shas[1]]);
    assert.equal(runner.commands.filter((c) => c.startsWith('git rev-parse')).length, 1, runner.commands.join('\n'));
  });

  void it('a ref that names no commit fails alone, with the message it has when asked alone; the others still resolve', async () => {
    const runner = new CountingRunner();
    const git = immutablePlanGit(runner, repo.dir);
    const alone = await gitQueriesVia(new CountingRunner(), repo.dir).revParseCommit('refs/tags/v9.9.9').then(() => 'resolved', (e: Error) => e.message);
    const [a, bad, b] = await Promise.allSettled([git.revParseCommit('refs/tags/v1.0.2'), git.revParseCommit('refs/tags/v9.9.9'), git.revParseCommit('HEAD')]);
    assert.deepEqual(a, { status: 'fulfilled', value: shas[1] });
    assert.deepEqual(b, { status: 'fulfilled', value: shas[3] });
    assert.equal(bad.status, 'rejected');
    assert.equal((bad as PromiseRejectedResult).reason.message, alone);
    assert.match(alone, /is not a commit/);
  });

  void it('an unsafe ref is refused before any process, as before', async () => {
    const runner = new CountingRunner();
    await assert.rejects(immutablePlanGit(runner, repo.dir).revParseCommit('--output=/tmp/x'), /starts with "-"/);
    assert.deepEqual(runner.commands, []);
  });

  void it('a question asked again while git answers it waits for that answer', async () => {
    const runner = new CountingRunner();
    const git = immutablePlanGit(runner, repo.dir);
    const [x, y] = await Promise.all([git.changedFiles(shas[0], shas[2]), git.changedFiles(shas[0], shas[2])]);
    assert.deepEqual(x, ['api/app.txt', 'docs/2.md', 'docs/3.md']);
    assert.deepEqual(y, x);
    assert.equal(runner.commands.filter((c) => c.startsWith('git diff')).length, 1);
  });

  void it('the plan built after prefetchPlanQuestions is the plan gitQueriesVia builds, with fewer processes', async () => {
    const { config } = parseConfig('releases: { tags: "v*" }\nservices:\n  api: { paths: ["api/**"] }\nenvironments:\n  production: { host: local, path: . }\n', 'rollback.yml');
    assert.ok(config);
    const input = (git: ReturnType<typeof gitQueriesVia>) => ({ config, environment: 'production', git, from: shas[3], fromName: 'v1.0.4', to: shas[1], toName: 'v1.0.2', targetSource: 'previous-tag' as const, reason: 'test', createdBy: 'ada', workspaceRoot: repo.dir, runId: 'r1', now: new Date(0) });
    const plainRunner = new CountingRunner();
    const plain = await buildPlan(input(gitQueriesVia(plainRunner, repo.dir)));
    // A fresh clone of the repository: the process-wide answers of the tests above are not reused.
    const clone = `${tmp.path}/clone`;
    repo.git('clone', '-q', repo.dir, clone);
    const runner = new CountingRunner();
    const git = immutablePlanGit(runner, clone);
    prefetchPlanQuestions(git, shas[3], shas[1], { changedFiles: true, range: true });
    const fast = await buildPlan({ ...input(git), workspaceRoot: clone });
    assert.deepEqual(JSON.parse(JSON.stringify(fast).replaceAll(clone, repo.dir)), JSON.parse(JSON.stringify(plain)));
    assert.ok(runner.commands.length < plainRunner.commands.length, `${runner.commands.length} processes, gitQueriesVia ${plainRunner.commands.length}:\n${runner.commands.join('\n')}`);
    // Both commits in one rev-parse, beside the diff and the range: three processes.
    assert.equal(runner.commands.length, 3, runner.commands.join('\n'));
  });
});
