import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emptyRecords, listReleases } from '../../../src/core/releases';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { GitFixture, gitIn, tempDir } from './gitFixture';

const names = (l: { releases: Array<{ name: string }> }) => l.releases.map((r) => r.name);

void describe('listReleases: order of the Releases tree', () => {
  const tmp = tempDir('order');
  let repo: GitFixture;
  let shas: Record<string, string>;

  before(() => {
    repo = new GitFixture(tmp.path);
    const c1 = repo.commit('first', { 'a.txt': '1' });
    repo.tag('v1.9.0', { annotated: true });
    repo.tag('v-nightly-1'); // non-SemVer, older
    repo.commit('second', { 'a.txt': '2' });
    repo.tag('v1.10.0-rc.1');
    repo.tag('release-2024.01'); // does not match v*
    const c3 = repo.commit('third', { 'a.txt': '3' });
    repo.tag('v1.10.0', { annotated: true, message: 'Big release' });
    repo.tag('vlegacy', { annotated: true }); // non-SemVer, newer
    repo.tag('app-v2.0.0');
    repo.tag('app-v10.0.0', { annotated: true });
    repo.git('tag', 'v9.9.9-tree', 'HEAD^{tree}'); // names a tree: no release
    repo.tag('inner-1', { annotated: true });
    repo.git('tag', '-a', '-m', 'Re-tagged', 'nested-v3.0.0', 'inner-1'); // a tag of a tag
    // A hotfix on the old line, tagged last: newest by date, but below v1.10.0 by SemVer.
    repo.git('checkout', '-q', '-b', 'hotfix', c1);
    repo.commit('hotfix', { 'b.txt': 'fix' });
    repo.tag('v1.9.1');
    repo.git('checkout', '-q', 'main');
    shas = { c1, c3 };
  });
  after(() => tmp.remove());

  void it('puts SemVer tags first by precedence (v1.10.0 above v1.9.1, the prerelease below its release), then other tags by date', async () => {
    const listing = await listReleases(new SimpleGitPort(repo.dir), { tagPattern: 'v*', records: emptyRecords() });
    assert.deepEqual(names(listing), ['v1.10.0', 'v1.10.0-rc.1', 'v1.9.1', 'v1.9.0', 'vlegacy', 'v-nightly-1']);
    assert.deepEqual(listing.notes, []);
  });

  void it('resolves annotated and lightweight tags to the commit, with SemVer details', async () => {
    const listing = await listReleases(new SimpleGitPort(repo.dir), { tagPattern: 'v*', records: emptyRecords() });
    const byName = new Map(listing.releases.map((r) => [r.name, r]));
    const annotated = byName.get('v1.10.0')!;
    assert.equal(annotated.sha, shas.c3);
    assert.equal(annotated.annotated, true);
    assert.equal(annotated.subject, 'Big release');
    assert.equal(annotated.version, '1.10.0');
    assert.equal(annotated.isSemver, true);
    assert.equal(annotated.source, 'tag');
    const light = byName.get('v1.9.0')!;
    assert.equal(light.sha, shas.c1);
    assert.equal(byName.get('v-nightly-1')!.isSemver, false);
    assert.equal(byName.get('v-nightly-1')!.sha, shas.c1);
    assert.match(annotated.date, /^2024-01-01T\d\d:\d\d:00\.000Z$/);
  });

  void it('follows a tag of a tag down to its commit', async () => {
    const listing = await listReleases(new SimpleGitPort(repo.dir), { tagPattern: 'nested-*', records: emptyRecords() });
    assert.deepEqual(names(listing), ['nested-v3.0.0']);
    assert.equal(listing.releases[0].sha, shas.c3);
    assert.equal(listing.releases[0].version, '3.0.0');
  });

  void it('uses a custom pattern and reads SemVer after its literal prefix', async () => {
    const git = new SimpleGitPort(repo.dir);
    const app = await listReleases(git, { tagPattern: 'app-v*', records: emptyRecords() });
    assert.deepEqual(names(app), ['app-v10.0.0', 'app-v2.0.0']);
    assert.ok(app.releases.every((r) => r.isSemver));
    const rel = await listReleases(git, { tagPattern: 'release-*', records: emptyRecords() });
    assert.deepEqual(names(rel), ['release-2024.01']);
    assert.equal(rel.releases[0].isSemver, false);
  });

  void it('marks the tag at HEAD as deployed and the release below it as last-known-good when nothing is recorded', async () => {
    const listing = await listReleases(new SimpleGitPort(repo.dir), { tagPattern: 'v*', records: emptyRecords() });
    assert.deepEqual(listing.releases[0].markers, ['deployed']);
    assert.equal(listing.deployedSource, 'head');
    assert.deepEqual(listing.releases[1].markers, ['last-known-good']);
  });
});

void describe('listReleases: repositories that need explaining', () => {
  const tmp = tempDir('notes');
  let repo: GitFixture;
  before(() => {
    repo = new GitFixture(tmp.path);
    repo.commit('one', { 'a.txt': '1' });
    repo.tag('v1.0.0', { annotated: true });
    repo.commit('two', { 'a.txt': '2' });
    repo.tag('v1.1.0');
    repo.commit('three', { 'a.txt': '3' });
    repo.tag('v1.2.0', { annotated: true });
  });
  after(() => tmp.remove());

  void it('explains a repository without matching tags, and how to make one', async () => {
    const empty = new GitFixture(tmp.path, 'no-tags');
    empty.commit('only', { 'x.txt': 'x' });
    const listing = await listReleases(new SimpleGitPort(empty.dir), { tagPattern: 'v*', records: emptyRecords() });
    assert.deepEqual(listing.releases, []);
    assert.deepEqual(listing.notes, [
      'No tags match v* in this repository — create one with `git tag v1.0.0`, or set releases.tags in rollback.yml',
    ]);
  });

  void it('explains an empty repository (no commits yet) without throwing', async () => {
    const unborn = new GitFixture(tmp.path, 'unborn');
    const listing = await listReleases(new SimpleGitPort(unborn.dir), { tagPattern: 'v*', records: emptyRecords() });
    assert.deepEqual(listing.releases, []);
    assert.match(listing.notes.join('\n'), /No tags match v\*/);
  });

  void it('warns that a shallow clone may miss older releases', async () => {
    const clone = `${tmp.path}/shallow`;
    gitIn(tmp.path, 'clone', '-q', '--depth', '1', '--branch', 'v1.2.0', `file://${repo.dir}`, clone);
    const listing = await listReleases(new SimpleGitPort(clone), { tagPattern: 'v*', records: emptyRecords(), branch: 'main' });
    assert.ok(listing.notes.includes('Shallow clone: older releases may be missing; run `git fetch --unshallow`'), listing.notes.join('\n'));
    assert.ok(!names(listing).includes('v1.0.0'));
  });

  void it('says where a detached HEAD is and how to get back to the branch', async () => {
    const clone = `${tmp.path}/detached`;
    gitIn(tmp.path, 'clone', '-q', repo.dir, clone);
    gitIn(clone, 'checkout', '-q', '--detach', 'v1.1.0');
    const short = repo.sha('v1.1.0').slice(0, 7);
    const git = new SimpleGitPort(clone);
    const withBranch = await listReleases(git, { tagPattern: 'v*', records: emptyRecords(), branch: 'main' });
    assert.ok(withBranch.notes.includes(`HEAD is detached at ${short} (get back with \`git switch main\`)`), withBranch.notes.join('\n'));
    const deployed = withBranch.releases.find((r) => r.markers.includes('deployed'));
    assert.equal(deployed?.name, 'v1.1.0');
    const noBranch = await listReleases(git, { tagPattern: 'v*', records: emptyRecords() });
    assert.ok(noBranch.notes.includes(`HEAD is detached at ${short} (get back with \`git switch -\`)`), noBranch.notes.join('\n'));
  });

  void it('reports a folder that is not a git repository as a note, not an exception', async () => {
    const plain = tempDir('plain');
    try {
      const listing = await listReleases(new SimpleGitPort(plain.path), { tagPattern: 'v*', records: emptyRecords() });
      assert.deepEqual(listing.releases, []);
      assert.equal(listing.notRepository, true);
      assert.equal(listing.notes.length, 1);
      assert.match(listing.notes[0], /^Not a git repository/);
      assert.ok(listing.notes[0].includes(plain.path));
    } finally {
      plain.remove();
    }
  });

  void it('reports a missing git executable as a note, not an exception', async () => {
    const listing = await listReleases(new SimpleGitPort(repo.dir, { binary: `${tmp.path}/no-such-git` }), {
      tagPattern: 'v*',
      records: emptyRecords(),
    });
    assert.deepEqual(listing.releases, []);
    assert.match(listing.notes.join('\n'), /Git was not found \(tried ".*no-such-git"\)/);
  });
});
