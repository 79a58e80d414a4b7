import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  emptyRecords,
  findDeployed,
  findLastKnownGood,
  listReleases,
  markBad,
  recordDeploy,
  setSnapshot,
  type ReleaseListing,
  type ReleaseRecords,
} from '../../../src/core/releases';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { GitFixture, tempDir } from './gitFixture';

const marked = (l: ReleaseListing, marker: string) => l.releases.filter((r) => r.markers.includes(marker as never)).map((r) => r.name);

void describe('listReleases: deployed, last-known-good, bad and recorded markers', () => {
  const tmp = tempDir('markers');
  let repo: GitFixture;
  let git: SimpleGitPort;
  const sha: Record<string, string> = {};

  before(() => {
    repo = new GitFixture(tmp.path);
    for (const v of ['1.0.0', '1.1.0', '1.2.0']) {
      repo.commit(`work for ${v}`, { 'app.txt': v });
      repo.tag(`v${v}`, { annotated: v !== '1.1.0' });
      sha[v] = repo.sha(`v${v}`);
    }
    sha.untagged = repo.commit('hotfix without a tag', { 'app.txt': 'hotfix' });
    repo.commit('work for 1.3.0', { 'app.txt': '1.3.0' });
    repo.tag('v1.3.0', { annotated: true });
    sha['1.3.0'] = repo.sha('v1.3.0');
    git = new SimpleGitPort(repo.dir);
  });
  after(() => tmp.remove());

  const list = (records: ReleaseRecords, extra: { environment?: string; targetHeadSha?: string } = {}) =>
    listReleases(git, { tagPattern: 'v*', records, ...extra });
  const deploy = (r: ReleaseRecords, s: string, at: string, environment = 'production', outcome?: 'ok' | 'rolled-back') =>
    recordDeploy(r, { sha: s, at, environment, ...(outcome ? { outcome } : {}) });
  const bad = (r: ReleaseRecords, s: string, reason = 'checkout 500s') =>
    markBad(r, { sha: s, reason, at: '2024-02-01T10:00:00Z', by: 'ada' });

  void it('without records: the tag at the target HEAD is deployed and the previous tag is last-known-good', async () => {
    const listing = await list(emptyRecords(), { targetHeadSha: sha['1.1.0'] });
    assert.deepEqual(marked(listing, 'deployed'), ['v1.1.0']);
    assert.deepEqual(marked(listing, 'last-known-good'), ['v1.0.0']);
    assert.deepEqual(findLastKnownGood(listing) && { name: findLastKnownGood(listing)!.release.name, source: findLastKnownGood(listing)!.source }, {
      name: 'v1.0.0',
      source: 'previous-tag',
    });
  });

  void it('when HEAD is not a release, the newest release counts as deployed', async () => {
    const listing = await list(emptyRecords(), { targetHeadSha: sha.untagged });
    assert.equal(listing.deployedSource, 'newest');
    assert.deepEqual(marked(listing, 'deployed'), ['v1.3.0']);
  });

  void it('skips a release marked bad when choosing last-known-good, and shows why it is bad', async () => {
    const listing = await list(bad(emptyRecords(), sha['1.2.0'], 'payments fail'));
    assert.deepEqual(marked(listing, 'deployed'), ['v1.3.0']);
    assert.deepEqual(marked(listing, 'bad'), ['v1.2.0']);
    assert.equal(listing.releases.find((r) => r.name === 'v1.2.0')?.badReason, 'payments fail');
    assert.deepEqual(marked(listing, 'last-known-good'), ['v1.1.0']);
  });

  void it('prefers the pre-deploy snapshot as last-known-good', async () => {
    const listing = await list(setSnapshot(emptyRecords(), sha['1.0.0']));
    assert.deepEqual(marked(listing, 'last-known-good'), ['v1.0.0']);
    assert.equal(findLastKnownGood(listing)?.source, 'snapshot');
  });

  void it('shows an untagged snapshot as its own node named by its short SHA', async () => {
    const listing = await list(setSnapshot(emptyRecords(), sha.untagged));
    const lkg = findLastKnownGood(listing);
    assert.equal(lkg?.release.name, sha.untagged.slice(0, 7));
    assert.equal(lkg?.release.sha, sha.untagged);
    assert.equal(lkg?.release.subject, 'hotfix without a tag');
    assert.equal(lkg?.source, 'snapshot');
    // Placed by its date: between v1.3.0 and v1.2.0.
    assert.deepEqual(listing.releases.map((r) => r.name).slice(0, 3), ['v1.3.0', sha.untagged.slice(0, 7), 'v1.2.0']);
  });

  void it('resolves a short or padded snapshot SHA, and explains one that names no commit', async () => {
    const short = await list({ ...emptyRecords(), snapshotSha: ` ${sha['1.1.0'].slice(0, 9)}\n` });
    assert.deepEqual(marked(short, 'last-known-good'), ['v1.1.0']);
    assert.equal(findLastKnownGood(short)?.source, 'snapshot');
    const garbage = await list({ ...emptyRecords(), snapshotSha: 'HEAD; rm -rf /' });
    assert.match(garbage.notes.join('\n'), /The pre-deploy snapshot "HEAD; rm -rf \/" does not name a commit of this repository/);
    assert.deepEqual(marked(garbage, 'last-known-good'), ['v1.2.0']);
    assert.equal(findLastKnownGood(garbage)?.source, 'previous-tag');
  });

  void it('a snapshot of the deployed release itself is no rollback target: the previous tag is, and a note says why', async () => {
    // Deployed is the tag at HEAD (v1.3.0); a snapshot recorded after the deploy names that same commit.
    const listing = await list(setSnapshot(emptyRecords(), sha['1.3.0']));
    assert.deepEqual(marked(listing, 'deployed'), ['v1.3.0']);
    assert.deepEqual(marked(listing, 'last-known-good'), ['v1.2.0']);
    assert.equal(findLastKnownGood(listing)?.source, 'previous-tag');
    assert.match(listing.notes.join('\n'), /snapshot .* is the deployed release itself/);
  });

  void it('ignores a snapshot that is marked bad, and says so', async () => {
    const listing = await list(bad(setSnapshot(emptyRecords(), sha['1.2.0']), sha['1.2.0']));
    assert.deepEqual(marked(listing, 'last-known-good'), ['v1.1.0']);
    assert.equal(findLastKnownGood(listing)?.source, 'previous-tag');
    assert.match(listing.notes.join('\n'), /snapshot .* is marked bad/);
  });

  void it('uses recorded deploys: the latest is deployed, the one before it is last-known-good', async () => {
    let r = emptyRecords();
    r = deploy(r, sha['1.0.0'], '2024-03-01T10:00:00Z');
    r = deploy(r, sha.untagged, '2024-03-02T10:00:00Z');
    r = deploy(r, sha['1.2.0'], '2024-03-03T10:00:00Z');
    const listing = await list(r);
    assert.deepEqual(marked(listing, 'deployed'), ['v1.2.0']);
    assert.equal(listing.deployedSource, 'deploy-record');
    const lkg = findLastKnownGood(listing);
    assert.equal(lkg?.release.sha, sha.untagged);
    assert.equal(lkg?.release.source, 'deploy-record');
    assert.equal(lkg?.source, 'deploy-record');
    assert.deepEqual(marked(listing, 'recorded'), [sha.untagged.slice(0, 7), 'v1.2.0', 'v1.0.0']);
    // The untagged deploy (newest by its deploy time) sits above the tags dated January.
    assert.equal(listing.releases[0].name, sha.untagged.slice(0, 7));
    assert.equal(findDeployed(listing)?.name, 'v1.2.0');
  });

  void it('skips bad and rolled-back deploys', async () => {
    let r = emptyRecords();
    r = deploy(r, sha['1.0.0'], '2024-03-01T10:00:00Z');
    r = deploy(r, sha.untagged, '2024-03-02T10:00:00Z');
    r = deploy(r, sha['1.1.0'], '2024-03-03T10:00:00Z');
    r = deploy(r, sha['1.3.0'], '2024-03-04T10:00:00Z', 'production', 'rolled-back');
    r = bad(r, sha.untagged);
    const listing = await list(r);
    assert.deepEqual(marked(listing, 'deployed'), ['v1.1.0']);
    assert.deepEqual(marked(listing, 'last-known-good'), ['v1.0.0']);
    assert.equal(findLastKnownGood(listing)?.source, 'deploy-record');
  });

  void it('counts only the deploys of the chosen environment', async () => {
    let r = emptyRecords();
    r = deploy(r, sha['1.0.0'], '2024-03-01T10:00:00Z', 'production');
    r = deploy(r, sha['1.3.0'], '2024-03-02T10:00:00Z', 'staging');
    const listing = await list(r, { environment: 'production' });
    assert.deepEqual(marked(listing, 'deployed'), ['v1.0.0']);
    assert.deepEqual(marked(listing, 'recorded'), ['v1.0.0']);
    assert.equal(findLastKnownGood(listing), undefined);
    assert.match(listing.notes.join('\n'), /No last-known-good release/);
  });
});
