import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitPortError } from '../../../src/core/releases';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { GitFixture, tempDir } from './gitFixture';

async function rejection(p: Promise<unknown>): Promise<GitPortError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof GitPortError, `expected a GitPortError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

void describe('SimpleGitPort: resolving refs safely', () => {
  const tmp = tempDir('port');
  let repo: GitFixture;
  let git: SimpleGitPort;
  let first: string;
  let second: string;

  before(() => {
    repo = new GitFixture(tmp.path);
    first = repo.commit('one', { 'a.txt': '1' });
    repo.tag('v1.0.0', { annotated: true });
    second = repo.commit('two', { 'a.txt': '2' });
    git = new SimpleGitPort(repo.dir);
  });
  after(() => tmp.remove());

  void it('resolves tags (annotated ones to their commit), branches and HEAD~1 to full SHAs', async () => {
    assert.equal(await git.revParseCommit('v1.0.0'), first);
    assert.equal(await git.revParseCommit('main'), second);
    assert.equal(await git.revParseCommit('HEAD~1'), first);
    assert.equal(await git.revParseCommit(second.slice(0, 10)), second);
  });

  void it('refuses a ref that would be read as an option', async () => {
    const e = await rejection(git.revParseCommit('--upload-pack=x'));
    assert.equal(e.kind, 'unsafe-ref');
    assert.match(e.message, /"--upload-pack=x" starts with "-" and would be read as an option/);
  });

  void it('refuses shell syntax in a ref, and nothing runs', async () => {
    const marker = join(tmp.path, 'pwned');
    for (const ref of ['HEAD; rm -rf /', `HEAD;touch\${IFS}${marker}`, 'HEAD && touch x', '$(touch x)', 'HEAD|cat', 'a\nb']) {
      const e = await rejection(git.revParseCommit(ref));
      assert.equal(e.kind, 'unsafe-ref', ref);
      assert.match(e.message, /^Refusing ref: /);
    }
    assert.equal(existsSync(marker), false);
  });

  void it('says which ref does not name a commit', async () => {
    const e = await rejection(git.revParseCommit('v9.9.9'));
    assert.equal(e.kind, 'bad-ref');
    assert.equal(e.message, `"v9.9.9" does not name a commit in ${repo.dir}`);
  });

  void it('refuses unsafe refs in commit ranges and diffs too', async () => {
    assert.equal((await rejection(git.commits({ from: '--output=/tmp/x', to: 'HEAD' }, { maxCount: 1 }))).kind, 'unsafe-ref');
    assert.equal((await rejection(git.changedFiles('HEAD', '-p'))).kind, 'unsafe-ref');
    assert.equal((await rejection(git.countCommits({ to: '--all' }))).kind, 'unsafe-ref');
  });

  void it('reports HEAD, the branch and the shallow flag', async () => {
    assert.deepEqual(await git.head(), { sha: second, branch: 'main', detached: false });
    assert.deepEqual(await git.repoState(), { kind: 'repo', shallow: false, head: { sha: second, branch: 'main', detached: false } });
    assert.equal(await git.isShallow(), false);
    assert.equal(await git.isRepo(), true);
  });

  void it('tells "not a repository" and "git missing" apart', async () => {
    const plain = tempDir('plain');
    try {
      writeFileSync(join(plain.path, 'x.txt'), 'x');
      const notRepo = new SimpleGitPort(plain.path);
      assert.equal(await notRepo.isRepo(), false);
      assert.equal((await notRepo.repoState()).kind, 'not-a-repo');
      assert.equal((await rejection(notRepo.listTags('v*'))).kind, 'not-a-repo');
      const gone = new SimpleGitPort(join(plain.path, 'missing-folder'));
      assert.equal(await gone.isRepo(), false);
      const noGit = new SimpleGitPort(repo.dir, { binary: join(plain.path, 'git') });
      const e = await rejection(noGit.repoState());
      assert.equal(e.kind, 'git-missing');
    } finally {
      plain.remove();
    }
  });

  void it('refuses a tag pattern with whitespace', async () => {
    const e = await rejection(git.listTags('v* --contains'));
    assert.equal(e.kind, 'bad-ref');
  });
});
