// The pre-deploy backup of runbook 004, end to end with real parts: Record Pre-deploy Snapshot
// runs `backup.create` (a real pg_dump of a real PostgreSQL) on the host over the real sshd and
// records its path, size, sha256 and time in ops/backups.log there; the rollback's preflight
// and its backup check verify THAT file, and the restore (a real pg_restore) receives it
// through {backup}. A backup whose checksum no longer matches, a log with a bad line and a
// backup that is too old are each refused in the preflight, naming the host and the file,
// with nothing after the preflight run.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chooseBackup, parseBackupsLog, type ChosenBackup } from '../../../src/core/backups/backupsLog';
import { fillRestoreCommand } from '../../../src/core/backups/backupSteps';
import { readBackupsLog } from '../../../src/core/backups/takeBackup';
import type { RollbackConfig } from '../../../src/core/config/types';
import { parseConfig } from '../../../src/core/config/parse';
import { planDatabaseSteps } from '../../../src/core/database/dbPlan';
import type { MigrationVerdict } from '../../../src/core/migrations/types';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import { RollbackRunner } from '../../../src/core/run/runner';
import { takeSnapshot } from '../../../src/core/snapshot/snapshot';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import type { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { appRepoConfig, makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { sshdUnavailable, startSshd, TEST_USER, testSshRunner, type TestSshd } from '../../support/sshd';
import { git, ScriptedPrompter, tempDir } from '../engine/helpers';

const skip = sshdUnavailable() ?? (existsSync('/usr/lib/postgresql/15/bin/initdb') ? undefined : 'PostgreSQL 15 is not installed (scripts/setup.sh)');

describe('the recorded pre-deploy backup: taken, checked, restored (real sshd, real PostgreSQL)', { skip }, () => {
  const tmp = tempDir('recorded-backup');
  let sshd: TestSshd;
  let pg: TestPostgres;
  let repo: AppRepo;
  let host: string;
  let where: string;
  let config: RollbackConfig;
  const runners: SshCommandRunner[] = [];
  const local = new LocalCommandRunner();
  const ssh = () => {
    const r = testSshRunner(sshd, tmp.dir);
    runners.push(r);
    return r;
  };
  const bad: MigrationVerdict = { migration: { tool: 'golang-migrate', id: '000003', file: 'db/migrations/000003_drop_notes.up.sql' }, class: 'destructive', findings: [] } as unknown as MigrationVerdict;
  const orders = async () => (await pg.psql('SELECT count(*) FROM orders;', 'shop')).trim();
  const version = async () => (await pg.psql('SELECT version FROM schema_migrations;', 'shop')).trim();

  before(async () => {
    [sshd, pg] = await Promise.all([startSshd(), startPostgres()]);
    await pg.createDatabase('shop');
    await pg.psql("CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 5) g; CREATE TABLE schema_migrations (version bigint NOT NULL, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, false);", 'shop');
    chmodSync(tmp.dir, 0o755);
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
    host = join(tmp.dir, 'srv-app');
    execFileSync('git', ['clone', '-q', repo.dir, host], { stdio: 'ignore' });
    git(host, 'checkout', '-q', '--detach', 'v1.2.0');
    execFileSync('chown', ['-R', `${TEST_USER}:`, host], { stdio: 'ignore' });
    where = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const conn = `-h 127.0.0.1 -p ${pg.port} -U postgres -d shop`;
    config = appRepoConfig({ apiPort: 1, workerPort: 2, host: where, path: host, strategy: 'checkout' });
    config.environments[0].name = 'production';
    config.services = [];
    config.migrations = {
      tool: 'golang-migrate',
      dir: 'db/migrations',
      sql: pg.psqlCommand('shop'),
      backup: { create: `pg_dump -Fc ${conn} -f {backup}`, restore: `pg_restore --clean --if-exists ${conn} {backup}`, maxAgeMs: 24 * 3_600_000 },
    };
  });
  after(async () => {
    for (const r of runners) await r.dispose().catch(() => undefined);
    await Promise.all([sshd?.stop(), pg?.stop()]);
    tmp.cleanup();
  });

  const to = () => ({ name: 'v1.2.0', sha: repo.tags['v1.2.0'] });
  const logFile = () => join(host, 'ops', 'backups.log');

  /** The plan a rollback v1.3.0 → v1.2.0 restoring the backup makes, with the backup as read from the host's log. */
  async function planWith(chosen: ChosenBackup, maxAgeMs = 24 * 3_600_000) {
    const migrations = { ...config.migrations, backup: { ...config.migrations.backup, maxAgeMs } };
    const databaseSteps = planDatabaseSteps({ verdicts: [bad], migrations, where, cwd: host, mode: 'restore', writers: [{ name: 'api', stop: 'true' }], backup: chosen });
    return buildPlan({ config: { ...config, migrations }, environment: 'production', git: gitQueriesVia(local, repo.dir), from: repo.tags['v1.3.0'], fromName: 'v1.3.0', to: repo.tags['v1.2.0'], toName: 'v1.2.0', targetSource: 'snapshot', reason: 'orders lost their notes', createdBy: 'dana@laptop', databaseSteps });
  }
  const run = (plan: Awaited<ReturnType<typeof planWith>>) => {
    const r = ssh();
    return new RollbackRunner({ runnerFor: () => r, journals: new FileJournalStore(join(tmp.dir, 'journals')), prompter: new ScriptedPrompter([], 'production'), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
  };
  /** Runs a plan that must stop in the preflight: the preflight's detail, after checking nothing after it ran. */
  async function refusedInPreflight(chosen: ChosenBackup, maxAgeMs?: number): Promise<string> {
    const before = [git(host, 'rev-parse', 'HEAD'), await orders(), await version()];
    const result = await run(await planWith(chosen, maxAgeMs));
    assert.equal(result.success, false);
    const pre = result.journal.steps.find((s) => s.stepId === 'preflight')!;
    assert.equal(pre.outcome, 'failed');
    const later = result.journal.steps.slice(result.journal.steps.indexOf(pre) + 1);
    assert.ok(later.every((s) => s.outcome === 'pending'), `nothing after the preflight ran: ${JSON.stringify(later.map((s) => [s.stepId, s.outcome]))}`);
    assert.deepEqual([git(host, 'rev-parse', 'HEAD'), await orders(), await version()], before, 'the code and the database are untouched');
    return pre.detail ?? '';
  }

  test('Record Pre-deploy Snapshot takes the backup on the host and records its path, size, sha256 and time in ops/backups.log there', async () => {
    const r = ssh();
    const snap = await takeSnapshot({ env: config.environments[0], services: [], runner: r, http: new NodeHttp(), cwd: host, backup: config.migrations.backup, by: 'alice@laptop-a' });
    const b = snap.backup!;
    assert.match(b.path, new RegExp(`^${host}/\\.rollback/backups/production-v1\\.2\\.0-\\d{8}T\\d{6}Z\\.dump$`));
    const bytes = readFileSync(b.path);
    assert.equal(b.size, bytes.length);
    assert.equal(b.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(statSync(b.path).uid, Number(execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' })), 'pg_dump ran on the host, as its user');
    assert.ok(Math.abs(Date.parse(b.at) - Date.now()) < 60_000, `taken now by the host's clock (${b.at})`);
    const lines = readFileSync(logFile(), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    assert.deepEqual(JSON.parse(lines[0]), { version: 1, at: b.at, environment: 'production', release: { sha: repo.tags['v1.2.0'], tag: 'v1.2.0' }, path: b.path, size: b.size, sha256: b.sha256, by: 'alice@laptop-a' });
    const onTarget = JSON.parse(readFileSync(join(host, '.rollback', 'snapshots', `${repo.tags['v1.2.0']}.json`), 'utf8')) as { backup: { sha256: string } };
    assert.equal(onTarget.backup.sha256, b.sha256, 'the snapshot record on the target names the backup too');
  });

  test('after the bad deploy, the rollback checks that backup in the preflight and again before the restore, and pg_restore receives exactly that file', async () => {
    // The bad deploy: v1.3.0's code, its migration ran, and it destroyed orders.
    const r = ssh();
    assert.equal((await r.run('git checkout -q --detach v1.3.0', { cwd: host })).code, 0);
    await pg.psql('DELETE FROM orders WHERE id > 2; UPDATE schema_migrations SET version = 3;', 'shop');
    const chosen = await readBackupsLog(r, host, config.migrations.backup, to());
    assert.ok('record' in chosen, JSON.stringify(chosen));
    const plan = await planWith(chosen);
    const restore = plan.steps.find((s) => s.id === 'db-restore')!;
    assert.equal(restore.commands[0].command, `pg_restore --clean --if-exists -h 127.0.0.1 -p ${pg.port} -U postgres -d shop ${chosen.record.path}`);
    assert.ok(plan.steps.findIndex((s) => s.id === 'preflight') < plan.steps.findIndex((s) => s.id === 'db-backup-check'));
    const preview = renderPlanMarkdown(plan);
    assert.ok(preview.includes(`Check the backup ${chosen.record.path} (taken at v1.2.0)`), 'the preview names the backup it checks and restores');

    const result = await run(plan);
    assert.equal(result.success, true, result.state);
    const detail = (id: string) => result.journal.steps.find((s) => s.stepId === id)?.detail ?? '';
    const checked = new RegExp(`backup ${chosen.record.path.replace(/[.]/g, '\\.')} checked: ${chosen.record.size} bytes, sha256 as recorded in ${where.replace(/[.]/g, '\\.')}:${host}/ops/backups\\.log line 1, taken \\S+ at v1\\.2\\.0, \\d+ minutes old`);
    assert.match(detail('preflight'), checked);
    assert.match(detail('db-backup-check'), checked);
    assert.deepEqual([await orders(), await version()], ['5', '2'], 'the orders and the migration table are back as they were at the backup');
    assert.equal(git(host, 'rev-parse', 'HEAD'), repo.tags['v1.2.0']);
  });

  test('a backup whose checksum no longer matches is refused in the preflight, naming the host and the log line', async () => {
    const r = ssh();
    assert.equal((await r.run('git checkout -q --detach v1.3.0', { cwd: host })).code, 0);
    const chosen = await readBackupsLog(r, host, config.migrations.backup, to());
    assert.ok('record' in chosen);
    const file = chosen.record.path;
    const original = readFileSync(file);
    // Same size, one byte different: only the checksum can tell.
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([original[original.length - 1] ^ 0xff]), 0, 1, original.length - 1);
    closeSync(fd);
    try {
      const detail = await refusedInPreflight(chosen);
      assert.equal(detail.split(': ')[0], 'exit code 1');
      assert.ok(detail.includes(`${where}:${file} does not match its checksum in ${where}:${host}/ops/backups.log line 1 (sha256 `), detail);
      assert.match(detail, /the backup changed since it was taken$/);
    } finally {
      writeFileSync(file, original);
    }
    // Gone altogether: its own message.
    execFileSync('mv', [file, `${file}.moved`]);
    try {
      assert.match(await refusedInPreflight(chosen), new RegExp(`${file.replace(/[.]/g, '\\.')} does not exist: the backup recorded in .*ops/backups\\.log line 1 is gone`));
    } finally {
      execFileSync('mv', [`${file}.moved`, file]);
    }
  });

  test('a backups log with a bad line is refused in the preflight with the host, the file and the line; the log is not half read', async () => {
    const r = ssh();
    assert.equal((await r.run('git checkout -q --detach v1.3.0', { cwd: host })).code, 0);
    const good = readFileSync(logFile(), 'utf8');
    writeFileSync(logFile(), `${good}backup taken by hand: /var/backups/shop.dump\n`);
    try {
      const chosen = await readBackupsLog(r, host, config.migrations.backup, to());
      assert.ok('problem' in chosen);
      const expected = `${where}:${host}/ops/backups.log line 2 is not JSON ("backup taken by hand: /var/backups/shop.dump"): the log is not trusted until that line is fixed or removed`;
      assert.equal(chosen.problem, expected);
      assert.equal(await refusedInPreflight(chosen), `exit code 1: ${expected}`);
      // The restore cannot name a file either: it is a step for the operator, with the reason.
      const plan = await planWith(chosen);
      assert.deepEqual(plan.steps.find((s) => s.id === 'db-restore')!.commands, []);
    } finally {
      writeFileSync(logFile(), good);
    }
    writeFileSync(logFile(), `${good}${JSON.stringify({ ...JSON.parse(good.trim()), version: 2 })}\n`);
    try {
      const chosen = await readBackupsLog(r, host, config.migrations.backup, to());
      assert.ok('problem' in chosen && /line 2 was written by a newer version of Rollback Pilot \(log version 2, this one reads 1\)/.test(chosen.problem), JSON.stringify(chosen));
    } finally {
      writeFileSync(logFile(), good);
    }
  });

  test('a backup older than migrations.backup.maxAge is refused in the preflight, saying how old it is', async () => {
    const r = ssh();
    assert.equal((await r.run('git checkout -q --detach v1.3.0', { cwd: host })).code, 0);
    const good = readFileSync(logFile(), 'utf8');
    const record = JSON.parse(good.trim()) as { at: string };
    writeFileSync(logFile(), `${JSON.stringify({ ...record, at: new Date(Date.now() - 3 * 3_600_000).toISOString() })}\n`);
    try {
      const chosen = await readBackupsLog(r, host, config.migrations.backup, to());
      assert.match(await refusedInPreflight(chosen, 60_000), /is 3 hours old, older than migrations\.backup\.maxAge \(1 minute\): take a fresh one with Record Pre-deploy Snapshot/);
    } finally {
      writeFileSync(logFile(), good);
    }
  });
});

describe('choosing and filling in the recorded backup (no host needed)', () => {
  const sha = (c: string) => c.repeat(40);
  const line = (release: string, at: string, path: string) => JSON.stringify({ version: 1, at, environment: 'production', release: { sha: sha(release), tag: `v-${release}` }, path, size: 10, sha256: 'f'.repeat(64) });

  test('the newest backup taken at the release rolled back to; never a newer one of another release', () => {
    const text = [line('a', '2026-12-01T01:00:00Z', '/b/a1.dump'), '# taken by the pipeline', '', line('a', '2026-12-01T02:00:00Z', '/b/a2.dump'), line('b', '2026-12-01T03:00:00Z', '/b/b.dump')].join('\n');
    const parsed = parseBackupsLog(text, 'prod-1:/srv/app/ops/backups.log');
    const chosen = chooseBackup(parsed, { name: 'v-a', sha: sha('a') }, 'ops/backups.log', 'prod-1:/srv/app/ops/backups.log');
    assert.ok('record' in chosen);
    assert.deepEqual([chosen.record.path, chosen.lineNumber], ['/b/a2.dump', 4]);
    const none = chooseBackup(parsed, { name: 'v1.1.0', sha: sha('c') }, 'ops/backups.log', 'prod-1:/srv/app/ops/backups.log');
    assert.ok('problem' in none);
    assert.equal(none.problem, `prod-1:/srv/app/ops/backups.log has no backup taken at v1.1.0 (cccccccccccc), the release this rollback returns to (the newest there was taken at v-b, 2026-12-01T03:00:00Z): Record Pre-deploy Snapshot takes one before each deploy (migrations.backup.create)`);
  });

  test('each kind of bad line is named', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"version":1}', /line 1 has no valid "at" time/],
      [line('a', 'yesterday', '/x'), /line 1 has no valid "at" time/],
      [line('a', '2026-12-01T01:00:00Z', '/x').replace('"size":10', '"size":0'), /line 1 has no positive whole "size"/],
      [line('a', '2026-12-01T01:00:00Z', '/x').replace('f'.repeat(64), 'nope'), /line 1 has no 64-hex-digit "sha256"/],
      ['[1,2]', /line 1 is not a JSON object/],
    ];
    for (const [text, expected] of cases) assert.match(parseBackupsLog(text, 'h:/l').problem ?? '', expected, text);
  });

  test('{backup} is filled in quoted; a quoted {backup} is refused, in the plan and in Problems; without {backup} the file is in $ROLLBACK_BACKUP', () => {
    const chosen = { log: 'l', shown: 'h:l', record: { version: 1, at: '2026-12-01T01:00:00Z', environment: 'p', release: { sha: sha('a') }, path: "/b/it's here.dump", size: 1, sha256: 'f'.repeat(64) }, line: '', lineNumber: 1 };
    assert.deepEqual(fillRestoreCommand('pg_restore -d app {backup}', chosen), { command: `pg_restore -d app '/b/it'\\''s here.dump'` });
    assert.deepEqual(fillRestoreCommand('sh scripts/restore.sh', chosen), { command: `export ROLLBACK_BACKUP='/b/it'\\''s here.dump'; sh scripts/restore.sh` });
    assert.match((fillRestoreCommand('pg_restore -d app "{backup}"', chosen) as { problem: string }).problem, /^migrations\.backup\.restore cannot be filled in safely: \{backup\} is inside double quotes.*write: pg_restore -d app \{backup\}/);
    const yml = 'migrations:\n  backup:\n    create: pg_dump -Fc app -f "{backup}"\n    restore: pg_restore -d app {backup}\n';
    const problems = parseConfig(yml, 'rollback.yml').diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(problems.map((d) => [d.path, d.line]), [['migrations.backup.create', 3]]);
  });
});
