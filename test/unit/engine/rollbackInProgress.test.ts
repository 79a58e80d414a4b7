// Another operator's rollback in progress, over ONE real sshd host: operator A takes the lock
// and saves its journal (a real FileJournalStore) through the copying decorator as its run
// goes; operator B, on its own connection, reads the lock and the copy and sees who, which
// step of how many, and since when. A copy that cannot be written never fails A's save.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyingJournalStore, journalCopyFile } from '../../../src/core/run/journalCopy';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { acquireLock, releaseLock } from '../../../src/core/run/lock';
import { readRollbackInProgress } from '../../../src/core/run/rollbackInProgress';
import type { RollbackConfig } from '../../../src/core/config/types';
import { RecordsStore } from '../../../src/core/releases/recordsStore';
import { fileRecordsStorage } from '../../../src/infra/files/recordsFileStorage';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { lastTeamState, refreshTeamState } from '../../../src/app/teamState';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { sshdUnavailable, startSshd, TEST_USER, type TestSshd } from '../../support/sshd';
import { tempDir } from './helpers';

const skip = sshdUnavailable();

describe("another operator's rollback in progress, on one real sshd host", { skip }, () => {
  const tmp = tempDir('in-progress');
  let sshd: TestSshd;
  let host: string;
  let where: string;
  const runners: SshCommandRunner[] = [];
  const ssh = (port?: number) => {
    const r = new SshCommandRunner({
      destination: `${sshd.user}@127.0.0.1:${port ?? sshd.port}`,
      hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') },
      knownHostsFiles: [sshd.knownHostsPath],
      identityFiles: [sshd.keyPath],
      sshConfigFile: join(tmp.dir, 'no-ssh-config'),
      agent: false,
      readyTimeoutMs: 3000,
    });
    runners.push(r);
    return r;
  };

  const journalOf = (runId: string, outcomes: string[], status = 'running'): RollbackJournal => {
    const titles = ['Preflight on the target', 'Take the lock', 'Revert v1.3.0', 'Restart api', 'Check api health', 'Release the lock'];
    return {
      version: 1,
      runId,
      plan: { id: runId, environment: 'production', where, cwd: host, steps: titles.map((title, i) => ({ id: `s${i + 1}`, title })) },
      operator: 'alice@laptop-a',
      decidedAt: '2025-12-01T03:11:00.000Z',
      startedAt: '2025-12-01T03:12:00.000Z',
      status,
      steps: outcomes.map((outcome, i) => ({ stepId: `s${i + 1}`, outcome, attempts: outcome === 'pending' ? 0 : 1 })),
      events: [],
    } as unknown as RollbackJournal;
  };

  before(async () => {
    sshd = await startSshd();
    chmodSync(tmp.dir, 0o755);
    host = join(tmp.dir, 'srv-app');
    mkdirSync(host);
    execFileSync('chown', [`${TEST_USER}:`, host]);
    where = `${sshd.user}@127.0.0.1:${sshd.port}`;
  });
  after(async () => {
    for (const r of runners) await r.dispose();
    await sshd?.stop();
    tmp.cleanup();
  });

  test("B sees A's lock and A's progress from the journal copy, step by step, then nothing once A is done", async () => {
    const a = ssh();
    const runId = 'rb-20261201-031100-alice';
    const target = { runner: a, cwd: host, environment: 'production' };
    const copies: string[] = [];
    const journals = copyingJournalStore(new FileJournalStore(join(tmp.dir, 'alice', '.rollback', 'journals')), { runnerFor: () => ssh(), onCopyFailed: (m) => copies.push(m) });
    const b = ssh();

    // Nobody is rolling back yet.
    assert.equal(await readRollbackInProgress(b, { cwd: host, environment: 'production' }), undefined);

    await acquireLock(target, { who: 'alice@laptop-a', since: '2025-12-01T03:12:00.000Z', runId });
    await journals.save(journalOf(runId, ['ok', 'ok', 'running', 'pending', 'pending', 'pending']));
    let seen = await readRollbackInProgress(b, { cwd: host, environment: 'production' });
    assert.equal(seen?.summary, 'rollback of production by alice@laptop-a, step 3/6 (Revert v1.3.0), since 2025-12-01 03:12 UTC');
    assert.equal(seen?.journalFile, `${where}:${host}/.rollback/journals/${runId}.json`);

    // A save that changes only output is not copied (bounded rate); the next step's start is.
    const outputOnly = journalOf(runId, ['ok', 'ok', 'running', 'pending', 'pending', 'pending']);
    outputOnly.steps[2].outputTail = 'Reverting…';
    await journals.save(outputOnly);
    assert.equal(JSON.parse(readFileSync(join(host, journalCopyFile(runId)), 'utf8')).steps[2].outputTail, undefined);
    await journals.save(journalOf(runId, ['ok', 'ok', 'ok', 'ok', 'ok', 'running']));
    seen = await readRollbackInProgress(b, { cwd: host, environment: 'production' });
    assert.deepEqual(seen?.step, { number: 6, total: 6, title: 'Release the lock', outcome: 'running' });

    await journals.save(journalOf(runId, ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'], 'succeeded'));
    await releaseLock(target, { runId });
    assert.equal(await readRollbackInProgress(b, { cwd: host, environment: 'production' }), undefined);
    assert.equal(JSON.parse(readFileSync(join(host, journalCopyFile(runId)), 'utf8')).status, 'succeeded', 'the finished journal stays on the host for the team');
    assert.deepEqual(copies, []);
    // The local journal is A's own, whole (with the output-only save).
    assert.equal(JSON.parse(readFileSync(join(tmp.dir, 'alice', '.rollback', 'journals', `${runId}.json`), 'utf8')).status, 'succeeded');
  });

  test('a lock whose run has no journal copy there: said, naming the host and the file', async () => {
    const a = ssh();
    const target = { runner: a, cwd: host, environment: 'production' };
    await acquireLock(target, { who: 'carol@desk', since: '2025-12-01T01:00:00.000Z', runId: 'rb-carol' });
    try {
      const seen = await readRollbackInProgress(ssh(), { cwd: host, environment: 'production' });
      assert.equal(seen?.summary, 'rollback of production by carol@desk, since 2025-12-01 01:00 UTC');
      assert.equal(seen?.journalProblem, `${where}:${host}/.rollback/journals/rb-carol.json does not exist (that run's machine did not copy its journal there)`);
    } finally {
      await releaseLock(target, { runId: 'rb-carol' });
    }
  });

  test('a copy that cannot be written never fails the save; the failure is said and recorded in the next journal saved', async () => {
    const failures: string[] = [];
    const dir = join(tmp.dir, 'dave', '.rollback', 'journals');
    const journals = copyingJournalStore(new FileJournalStore(dir), { runnerFor: () => ssh(1), onCopyFailed: (m) => failures.push(m) });
    const j = journalOf('rb-dave', ['running', 'pending', 'pending', 'pending', 'pending', 'pending']);
    await journals.save(j);
    assert.equal(failures.length, 1);
    assert.match(failures[0], new RegExp(`^could not copy the journal to ${sshd.user}@127\\.0\\.0\\.1:1:.*srv-app/\\.rollback/journals/rb-dave\\.json: `));
    assert.equal(existsSync(join(dir, 'rb-dave.json')), true);
    j.steps[0].outcome = 'ok';
    await journals.save(j);
    const saved = JSON.parse(readFileSync(join(dir, 'rb-dave.json'), 'utf8')) as RollbackJournal;
    assert.deepEqual(saved.events.map((e) => e.kind), ['journal-copy-failed']);
  });

  test("Refresh in B's window: the only remote environment's records, lock and journal copy, read over its target", async () => {
    const a = ssh();
    const runId = 'rb-20251201-040000-alice';
    const target = { runner: a, cwd: host, environment: 'production' };
    const journals = copyingJournalStore(new FileJournalStore(join(tmp.dir, 'alice2', '.rollback', 'journals')), { runnerFor: () => ssh() });
    await acquireLock(target, { who: 'alice@laptop-a', since: '2025-12-01T04:00:00.000Z', runId });
    try {
      await journals.save(journalOf(runId, ['ok', 'running', 'pending', 'pending', 'pending', 'pending']));
      const bob = new RecordsStore(fileRecordsStorage(join(tmp.dir, 'bob', '.rollback', 'records.json')));
      const config = { environments: [{ name: 'local', host: 'local', path: '.' }, { name: 'production', host: where, path: host }] } as unknown as RollbackConfig;
      const state = await refreshTeamState(bob, () => ssh(), config, (env) => env.path);
      assert.equal(state?.inProgress?.summary, 'rollback of production by alice@laptop-a, step 2/6 (Take the lock), since 2025-12-01 04:00 UTC');
      assert.equal(lastTeamState(), state);
      assert.deepEqual(bob.target, { environment: 'production', location: `${where}:${host}/.rollback/records.json`, read: true });
    } finally {
      await releaseLock(target, { runId });
    }
  });
});
