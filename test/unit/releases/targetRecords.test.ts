// The team's records on the target: two operators (two workspaces, each with its own local
// .rollback/records.json) against ONE real sshd host. What A writes there, B sees after a
// read of the target, and B's last-known-good skips the release A marked bad. Bad input on
// the target (corrupt JSON, a newer version) names the host and the file and is never
// overwritten silently.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findLastKnownGood, listReleases, RecordsStore } from '../../../src/core/releases';
import { mergeRecords, type ReleaseRecords } from '../../../src/core/releases/records';
import { TargetRecordsError } from '../../../src/core/releases/recordsStore';
import { targetRecordsFile, targetRecordsStorage } from '../../../src/core/releases/targetRecords';
import { journalCopyFile } from '../../../src/core/run/journalCopy';
import { fileRecordsStorage } from '../../../src/infra/files/recordsFileStorage';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { sshdUnavailable, startSshd, TEST_USER, type TestSshd, testSshRunner } from '../../support/sshd';
import { tempDir } from '../engine/helpers';
import { GitFixture } from './gitFixture';

const skip = sshdUnavailable();

describe('team records on one real sshd host, two operators', { skip }, () => {
  const tmp = tempDir('team-records');
  let sshd: TestSshd;
  let repo: GitFixture;
  let host: string;
  const runners: SshCommandRunner[] = [];

  const runner = () => {
    const r = testSshRunner(sshd, tmp.dir);
    runners.push(r);
    return r;
  };
  /** One operator: a workspace with its own local records file, and the environment's target records attached. */
  const operator = (name: string, path = host): RecordsStore => {
    const store = new RecordsStore(fileRecordsStorage(join(tmp.dir, name, '.rollback', 'records.json')));
    const ssh = runner();
    store.attachTarget('production', targetRecordsStorage(ssh, targetRecordsFile({ path }), { afterEach: () => ssh.dispose() }));
    return store;
  };
  const hostFile = () => join(host, '.rollback', 'records.json');

  before(async () => {
    sshd = await startSshd();
    chmodSync(tmp.dir, 0o755);
    repo = new GitFixture(tmp.dir, 'workspace');
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) {
      repo.commit(`release ${v}`, { 'VERSION': v });
      repo.tag(`v${v}`);
    }
    host = join(tmp.dir, 'srv-app');
    mkdirSync(host);
    execFileSync('chown', ['-R', `${TEST_USER}:`, host], { stdio: 'ignore' });
  });
  after(async () => {
    for (const r of runners) await r.dispose();
    await sshd?.stop();
    tmp.cleanup();
  });

  test("B sees the bad mark and the deploy A wrote, and B's last-known-good skips the release A marked bad", async () => {
    const a = operator('alice');
    const b = operator('bob');
    await Promise.all([a.load(), b.load(), a.refreshTarget(), b.refreshTarget()]);
    const [v120, v130] = [repo.sha('v1.2.0'), repo.sha('v1.3.0')];

    // Before: B's selection goes to the previous tag, v1.2.0.
    const before = await listReleases(new SimpleGitPort(repo.dir), { tagPattern: 'v*', records: b.records, targetHeadSha: v130 });
    assert.equal(findLastKnownGood(before)?.release.name, 'v1.2.0');

    await a.markBad({ sha: v120, reason: 'corrupts invoices', at: '2026-12-01T03:00:00Z', by: 'alice@laptop-a' });
    await a.recordDeploy({ sha: v130, at: '2026-12-01T02:00:00Z', environment: 'production', tag: 'v1.3.0' });
    // On the host, in the file B's VS Code reads; not in B's own local file.
    const onHost = JSON.parse(readFileSync(hostFile(), 'utf8')) as ReleaseRecords;
    assert.deepEqual(onHost.bad.map((m) => [m.sha, m.by]), [[v120, 'alice@laptop-a']]);
    assert.equal(existsSync(join(tmp.dir, 'bob', '.rollback', 'records.json')), false);

    // Until B reads the target again, B shows what it read last (no SSH on a view's open).
    assert.equal((await b.load()).bad.length, 0);
    await b.refreshTarget();
    const merged = b.records;
    assert.equal(merged.bad.length, 1);
    assert.match(merged.bad[0].reason, new RegExp(`^corrupts invoices \\(marked by alice@laptop-a, recorded on ${TEST_USER}@127\\.0\\.0\\.1:${sshd.port}:.*srv-app/\\.rollback/records\\.json\\)$`));
    assert.deepEqual(merged.deploys.map((d) => d.tag), ['v1.3.0']);

    const listing = await listReleases(new SimpleGitPort(repo.dir), { tagPattern: 'v*', records: merged, targetHeadSha: v130 });
    assert.ok(listing.releases.find((r) => r.name === 'v1.2.0')?.markers.includes('bad'));
    const lkg = findLastKnownGood(listing);
    assert.equal(lkg?.release.name, 'v1.1.0', "B's Revert Last Deploy must not go to the release A marked bad");

    // B unmarks it: gone from the host; A's own local mark still counts on A's machine (a mark from either counts).
    await b.unmarkBad(v120);
    assert.equal((JSON.parse(readFileSync(hostFile(), 'utf8')) as ReleaseRecords).bad.length, 0);
    await a.refreshTarget();
    assert.deepEqual(a.records.bad.map((m) => m.reason), ['corrupts invoices']);
  });

  test('A mark only on this machine and one only on the target both count, the newer reason shows', () => {
    const sha = (c: string) => c.repeat(40);
    const local: ReleaseRecords = { deploys: [], bad: [{ sha: sha('a'), reason: 'local only', at: '2026-01-01T00:00:00Z', by: 'me' }, { sha: sha('b'), reason: 'old', at: '2026-01-01T00:00:00Z', by: 'me' }] };
    const target: ReleaseRecords = { deploys: [], bad: [{ sha: sha('b'), reason: 'newer', at: '2026-01-02T00:00:00Z', by: 'alice' }, { sha: sha('c'), reason: 'target only', at: '2026-01-01T00:00:00Z', by: 'alice' }] };
    const m = mergeRecords(local, target, 'prod-1:/srv/app/.rollback/records.json');
    assert.deepEqual(m.bad.map((b) => [b.sha[0], b.reason]), [
      ['a', 'local only'],
      ['b', 'newer (marked by alice, recorded on prod-1:/srv/app/.rollback/records.json)'],
      ['c', 'target only (marked by alice, recorded on prod-1:/srv/app/.rollback/records.json)'],
    ]);
  });

  test('two operators writing at the same moment: both marks land on the host (compare-and-swap, re-read, again)', async () => {
    const path = join(tmp.dir, 'srv-race');
    mkdirSync(path);
    execFileSync('chown', [`${TEST_USER}:`, path]);
    const a = operator('alice-race', path);
    const b = operator('bob-race', path);
    await Promise.all([a.refreshTarget(), b.refreshTarget()]);
    const shas = ['1', '2', '3', '4', '5', '6'].map((c) => c.repeat(40));
    await Promise.all(shas.map((sha, i) => (i % 2 ? a : b).markBad({ sha, reason: `mark ${i}`, at: '2026-12-01T03:00:00Z', by: i % 2 ? 'alice' : 'bob' })));
    const onHost = JSON.parse(readFileSync(join(path, '.rollback', 'records.json'), 'utf8')) as ReleaseRecords;
    assert.deepEqual(onHost.bad.map((m) => m.sha).sort(), shas);
    assert.deepEqual(readdirSync(join(path, '.rollback')).sort(), ['.gitignore', 'records.json'], 'no temp file is left behind');
    assert.equal(readFileSync(join(path, '.rollback', '.gitignore'), 'utf8'), '*\n', 'the .rollback folder keeps itself out of git status on the host');
  });

  test('a corrupt file on the target: named with host and file, moved aside on the host before the first write', async () => {
    const path = join(tmp.dir, 'srv-corrupt');
    mkdirSync(join(path, '.rollback'), { recursive: true });
    writeFileSync(join(path, '.rollback', 'records.json'), '{"deploys": [,]}');
    execFileSync('chown', ['-R', `${TEST_USER}:`, path]);
    const a = operator('alice-corrupt', path);
    await a.refreshTarget();
    assert.match(a.problem?.message ?? '', new RegExp(`^${TEST_USER}@127\\.0\\.0\\.1:${sshd.port}:.*srv-corrupt/\\.rollback/records\\.json:1:14: not valid JSON`));
    await a.markBad({ sha: 'e'.repeat(40), reason: 'broken', at: '2026-12-01T03:00:00Z', by: 'alice' });
    const files = readdirSync(join(path, '.rollback')).filter((f) => f !== '.gitignore').sort();
    assert.equal(files.length, 2);
    assert.match(files[1], /^records\.json\.corrupt-/);
    assert.equal(readFileSync(join(path, '.rollback', files[1]), 'utf8'), '{"deploys": [,]}', 'what was there is kept, byte for byte');
    assert.match(a.problem?.message ?? '', /could not be read and was moved to rbtest@.*records\.json\.corrupt-/);
  });

  test('a file written by a newer version: named, never moved or overwritten; the local mark is kept and the failure said', async () => {
    const path = join(tmp.dir, 'srv-newer');
    mkdirSync(join(path, '.rollback'), { recursive: true });
    const newer = '{"version": 2, "deploys": [], "bad": [], "teams": {}}\n';
    writeFileSync(join(path, '.rollback', 'records.json'), newer);
    execFileSync('chown', ['-R', `${TEST_USER}:`, path]);
    const a = operator('alice-newer', path);
    await a.refreshTarget();
    assert.match(a.problem?.message ?? '', /srv-newer\/\.rollback\/records\.json: version is 2: written by a newer version of Rollback Pilot \(this one reads version 1\)/);
    await assert.rejects(
      a.markBad({ sha: 'f'.repeat(40), reason: 'broken', at: '2026-12-01T03:00:00Z', by: 'alice' }),
      (e: Error) => e instanceof TargetRecordsError && /^Saved in .*alice-newer\/\.rollback\/records\.json, but not in the team's records on the target: Nothing was written: .*srv-newer\/\.rollback\/records\.json: version is 2/.test(e.message),
    );
    assert.equal(readFileSync(join(path, '.rollback', 'records.json'), 'utf8'), newer);
    assert.deepEqual(readdirSync(join(path, '.rollback')), ['records.json']);
    assert.equal(a.records.bad.length, 1, 'the mark is kept on this machine');
  });

  test('an unreachable target: the read is a problem naming it, and a write never replaces its records', async () => {
    const store = new RecordsStore(fileRecordsStorage(join(tmp.dir, 'carol', '.rollback', 'records.json')));
    const dead = new SshCommandRunner({
      destination: `${sshd.user}@127.0.0.1:1`,
      hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') },
      knownHostsFiles: [sshd.knownHostsPath],
      identityFiles: [sshd.keyPath],
      sshConfigFile: join(tmp.dir, 'no-ssh-config'),
      agent: false,
      readyTimeoutMs: 3000,
    });
    runners.push(dead);
    store.attachTarget('production', targetRecordsStorage(dead, '/srv/app/.rollback/records.json'));
    await store.refreshTarget();
    assert.match(store.problem?.message ?? '', new RegExp(`^${TEST_USER}@127\\.0\\.0\\.1:1:/srv/app/\\.rollback/records\\.json: cannot read`));
    await assert.rejects(store.markBad({ sha: 'd'.repeat(40), reason: 'x', at: '2026-12-01T03:00:00Z', by: 'c' }), TargetRecordsError);
  });
});

describe('targetRecordsFile', () => {
  test('under the path by default; records: names the team folder, relative to it or absolute (journal copies go there too)', () => {
    assert.equal(targetRecordsFile({ path: '/srv/app' }), '/srv/app/.rollback/records.json');
    assert.equal(targetRecordsFile({ path: '/srv/app/' }), '/srv/app/.rollback/records.json');
    assert.equal(targetRecordsFile({ path: 'app' }), 'app/.rollback/records.json');
    assert.equal(targetRecordsFile({ path: '/srv/app', records: 'ops/rollback' }), '/srv/app/ops/rollback/records.json');
    assert.equal(targetRecordsFile({ path: '/srv/app', records: '/var/lib/rollback/' }), '/var/lib/rollback/records.json');
    assert.equal(journalCopyFile('rb-1'), '.rollback/journals/rb-1.json');
    assert.equal(journalCopyFile('rb-1', 'ops/rollback'), 'ops/rollback/journals/rb-1.json');
    assert.equal(journalCopyFile('rb-1', '/var/lib/rollback'), '/var/lib/rollback/journals/rb-1.json');
    assert.throws(() => targetRecordsFile({ path: '/srv/a\npp' }), /newline/);
  });
});
