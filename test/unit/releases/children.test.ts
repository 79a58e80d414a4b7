import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { moreLabel, releaseChangedFiles, releaseCommits } from '../../../src/core/releases';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { GitFixture, gitEnv, tempDir } from './gitFixture';

void describe('children of a release: its commits and changed files', () => {
  const tmp = tempDir('children');
  let repo: GitFixture;
  let git: SimpleGitPort;
  const sha: Record<string, string> = {};

  before(() => {
    repo = new GitFixture(tmp.path);
    repo.commit('initial layout', { 'apps/api/main.py': 'v1', 'README.md': 'hello' });
    repo.tag('v1.0.0', { annotated: true });
    repo.commit('add orders table', { 'alembic/versions/0002_orders.py': 'op.create_table("orders")' });
    mkdirSync(join(repo.dir, 'docs'));
    repo.git('mv', 'README.md', 'docs/README.md');
    repo.commit('move readme');
    repo.commit('api: retry payments', { 'apps/api/main.py': 'v2' });
    repo.tag('v1.1.0');
    sha.v100 = repo.sha('v1.0.0');
    sha.v110 = repo.sha('v1.1.0');
    git = new SimpleGitPort(repo.dir);
  });
  after(() => tmp.remove());

  void it('lists the commits since the previous release, newest first, with author and date', async () => {
    const { commits, more } = await releaseCommits(git, { sha: sha.v110 }, { sha: sha.v100 });
    assert.deepEqual(
      commits.map((c) => c.subject),
      ['api: retry payments', 'move readme', 'add orders table'],
    );
    assert.equal(more, 0);
    assert.equal(commits[0].sha, sha.v110);
    assert.equal(commits[0].shortSha, sha.v110.slice(0, commits[0].shortSha.length));
    assert.ok(commits[0].shortSha.length >= 7);
    assert.equal(commits[0].author, 'Ada Lovelace');
    assert.equal(commits[0].authorEmail, 'ada@example.com');
    assert.match(commits[0].date, /^2024-01-01T\d\d:\d\d:00\.000Z$/);
    assert.ok(Date.parse(commits[0].date) > Date.parse(commits[2].date));
  });

  void it('lists every commit of the first release (no previous one)', async () => {
    const { commits } = await releaseCommits(git, { sha: sha.v100 });
    assert.deepEqual(commits.map((c) => c.subject), ['initial layout']);
  });

  void it('lists the files a release changed, a moved file under both paths', async () => {
    const files = await releaseChangedFiles(git, { sha: sha.v110 }, { sha: sha.v100 });
    assert.deepEqual(files.sort(), ['README.md', 'alembic/versions/0002_orders.py', 'apps/api/main.py', 'docs/README.md']);
  });

  void it('lists every file of the first release (no previous one)', async () => {
    const files = await releaseChangedFiles(git, { sha: sha.v100 });
    assert.deepEqual(files.sort(), ['README.md', 'apps/api/main.py']);
  });

  void it('caps a long release at 200 commits and says how many more there are', async () => {
    const long = new GitFixture(tmp.path, 'long');
    // 205 commits in one fast-import stream: one git process instead of hundreds.
    let stream = '';
    for (let i = 1; i <= 205; i++) {
      const msg = `commit ${i}`;
      stream += `commit refs/heads/main\nmark :${i}\ncommitter Ada <ada@example.com> ${1704067200 + i * 60} +0000\ndata ${msg.length}\n${msg}\n`;
      if (i > 1) stream += `from :${i - 1}\n`;
      stream += `M 100644 inline n.txt\ndata ${String(i).length}\n${i}\n\n`;
    }
    execFileSync('git', ['fast-import', '--quiet'], { cwd: long.dir, input: stream, env: gitEnv() });
    const head = long.sha('main');
    const result = await releaseCommits(new SimpleGitPort(long.dir), { sha: head });
    assert.equal(result.commits.length, 200);
    assert.equal(result.commits[0].subject, 'commit 205');
    assert.equal(result.commits[199].subject, 'commit 6');
    assert.equal(result.more, 5);
    assert.equal(moreLabel(result), '… 5 more commits');
    assert.equal(moreLabel({ commits: [], more: 1 }), '… 1 more commit');
    assert.equal(moreLabel({ commits: [], more: 0 }), undefined);
  });
});
