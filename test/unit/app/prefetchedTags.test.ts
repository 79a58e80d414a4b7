// The tags read ahead (app/prefetchedTags.ts) on a real repository: the listing that takes
// them is the listing read directly, without a second for-each-ref or repository check; it is
// taken once (the next listing sees a tag made since), and never for another pattern or
// after forget().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PrefetchingGitPort } from '../../../src/app/prefetchedTags';
import { emptyRecords, listReleases, type GitPort } from '../../../src/core/releases';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { GitFixture, tempDir } from '../releases/gitFixture';

/** The real port, counting the tag listings and repository checks it is asked for. */
function counting(inner: GitPort): { port: GitPort; calls: string[] } {
  const calls: string[] = [];
  const port: GitPort = {
    isRepo: () => inner.isRepo(),
    repoState: () => (calls.push('repoState'), inner.repoState()),
    head: () => inner.head(),
    isShallow: () => inner.isShallow(),
    listTags: (p) => (calls.push(`listTags ${p}`), inner.listTags(p)),
    streamTags: (p, on) => (calls.push(`streamTags ${p}`), inner.streamTags!(p, on)),
    commits: (r, page) => inner.commits(r, page),
    countCommits: (r) => inner.countCommits(r),
    changedFiles: (f, t) => inner.changedFiles(f, t),
    revParseCommit: (r) => inner.revParseCommit(r),
  };
  return { port, calls };
}

void describe('PrefetchingGitPort: the tags read while the target is', () => {
  const tmp = tempDir('prefetch');
  let repo: GitFixture;

  before(() => {
    repo = new GitFixture(tmp.path);
    for (let i = 1; i <= 5; i++) {
      repo.commit(`change ${i}`, { 'a.txt': `${i}` });
      repo.tag(i === 3 ? 'vnightly' : `v1.${i}.0${i === 4 ? '-rc.1' : ''}`, { annotated: i % 2 === 0 });
    }
  });
  after(() => tmp.remove());

  const opts = { tagPattern: 'v*', records: emptyRecords() };

  void it('gives the listing exactly what reading directly gives, from the one read made ahead', async () => {
    const direct = await listReleases(new SimpleGitPort(repo.dir), opts);
    const { port, calls } = counting(new SimpleGitPort(repo.dir));
    const prefetching = new PrefetchingGitPort(port);
    prefetching.prefetchTags('v*');
    assert.deepEqual(calls, ['streamTags v*', 'repoState']);
    const listing = await listReleases(prefetching, opts);
    assert.deepEqual(listing, direct);
    assert.deepEqual(listing.releases.map((r) => `${r.name}${r.markers.length ? ` (${r.markers.join(', ')})` : ''}`), ['v1.5.0 (deployed)', 'v1.4.0-rc.1 (last-known-good)', 'v1.2.0', 'v1.1.0', 'vnightly']);
    assert.deepEqual(calls, ['streamTags v*', 'repoState'], 'no second read');
  });

  void it('is taken once: the next listing reads again and sees a tag made since', async () => {
    const { port, calls } = counting(new SimpleGitPort(repo.dir));
    const prefetching = new PrefetchingGitPort(port);
    prefetching.prefetchTags('v*');
    await listReleases(prefetching, opts);
    repo.tag('v1.6.0');
    const again = await listReleases(prefetching, opts);
    assert.equal(again.releases[0].name, 'v1.6.0');
    assert.deepEqual(calls, ['streamTags v*', 'repoState', 'streamTags v*', 'repoState']);
    repo.git('tag', '-d', 'v1.6.0');
  });

  void it('is not used for another pattern, nor after forget()', async () => {
    const { port, calls } = counting(new SimpleGitPort(repo.dir));
    const prefetching = new PrefetchingGitPort(port);
    prefetching.prefetchTags('v1.*');
    const other = await listReleases(prefetching, opts);
    assert.equal(other.releases.length, 5);
    assert.deepEqual(calls, ['streamTags v1.*', 'repoState', 'streamTags v*']);
    prefetching.prefetchTags('v*');
    prefetching.forget();
    await listReleases(prefetching, opts);
    assert.deepEqual(calls.slice(3), ['streamTags v*', 'repoState', 'streamTags v*', 'repoState']);
  });

  void it('a read that fails is met by the listing as a note, never as an unhandled rejection', async () => {
    const prefetching = new PrefetchingGitPort(new SimpleGitPort(repo.dir));
    prefetching.prefetchTags('bad..pattern');
    await new Promise((r) => setTimeout(r, 50));
    const listing = await listReleases(prefetching, { ...opts, tagPattern: 'bad..pattern' });
    assert.deepEqual(listing.releases, []);
    assert.match(listing.notes.join('\n'), /Could not list the tags: Tag pattern "bad\.\.pattern" contains "\.\."/);
  });
});
