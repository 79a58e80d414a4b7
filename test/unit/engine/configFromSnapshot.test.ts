// Ignored config files come back from the pre-deploy snapshot, not from git (issue 11.3), on a
// real repository and real sh: a gitignored .env listed in configFiles is copied by Record
// Pre-deploy Snapshot into .rollback/snapshots/<sha>/ on the target, the "bad deploy"
// changes it, and the rollback to the snapshotted release puts it back byte for byte. A
// rollback to a release with no snapshot copy fails at that step, naming the host and file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RollbackConfig } from '../../../src/core/config/types';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import { RollbackRunner } from '../../../src/core/run/runner';
import { takeSnapshot } from '../../../src/core/snapshot/snapshot';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { appRepoConfig, makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { git, ScriptedPrompter, tempDir } from './helpers';

describe('ignored configFiles restored from the pre-deploy snapshot (real git, real sh)', () => {
  const tmp = tempDir('config-snapshot');
  let repo: AppRepo;
  let host: string;
  let config: RollbackConfig;
  const local = new LocalCommandRunner();
  // Bytes a text round trip would change: CRLF, a NUL, invalid UTF-8, no final newline.
  const good = Buffer.from([...Buffer.from('DB_PASSWORD=s3cret-v1.2\r\nFLAG=on\n'), 0x00, 0xff, 0xfe, 0x41]);

  const plan = (from: string, to: string) =>
    buildPlan({ config, environment: 'local', git: gitQueriesVia(local, repo.dir), from: repo.tags[from], fromName: from, to: repo.tags[to], toName: to, targetSource: 'snapshot', reason: 'api 500s', createdBy: 'dana@laptop', gitIdentity: { name: 'Dana Deployer', email: 'dana@shop.example' } });
  const run = (p: Awaited<ReturnType<typeof plan>>) =>
    new RollbackRunner({ runnerFor: () => local, journals: new FileJournalStore(join(tmp.dir, 'journals')), prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(p);

  before(async () => {
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
    host = join(tmp.dir, 'host');
    execFileSync('git', ['clone', '-q', repo.dir, host], { stdio: 'ignore' });
    appendFileSync(join(host, '.git', 'info', 'exclude'), '.env\n');
    config = appRepoConfig({ apiPort: 1, workerPort: 2, path: host, strategy: 'checkout' });
    config.services = [];
    config.environments[0].configFiles = ['.env', '.gitignore'];
  });
  after(() => tmp.cleanup());

  test('snapshotted at pre-deploy, changed by the bad deploy, restored by the rollback byte for byte', async () => {
    // v1.2.0 runs with its .env; the pipeline records the pre-deploy snapshot before deploying v1.3.0.
    git(host, 'checkout', '-q', '--detach', 'v1.2.0');
    writeFileSync(join(host, '.env'), good, { mode: 0o600 });
    const env = config.environments[0];
    const snap = await takeSnapshot({ env, services: [], runner: local, http: new NodeHttp(), cwd: host });
    const dir = join(host, '.rollback', 'snapshots', repo.tags['v1.2.0']);
    assert.deepEqual(snap.onTarget?.files.map((f) => f.path), ['.env']);
    assert.deepEqual(snap.onTarget?.tracked, ['.gitignore'], 'a tracked file is git\'s, not copied');
    assert.deepEqual(readFileSync(join(dir, 'files', '.env')), good);
    const record = JSON.parse(readFileSync(`${dir}.json`, 'utf8')) as { sha: string; tag: string; freeDiskKb: number; configFiles: { copied: Array<{ path: string; sha256: string }> } };
    assert.deepEqual([record.sha, record.tag], [repo.tags['v1.2.0'], 'v1.2.0']);
    assert.ok(record.freeDiskKb > 0, 'free disk space from df -Pk');
    assert.equal(record.configFiles.copied[0].sha256, execFileSync('sha256sum', [join(host, '.env')], { encoding: 'utf8' }).slice(0, 64));
    assert.equal(git(host, 'status', '--porcelain'), '', 'the snapshot leaves the working tree clean');

    // The bad deploy: v1.3.0 and a new .env.
    git(host, 'checkout', '-q', '--detach', 'v1.3.0');
    writeFileSync(join(host, '.env'), 'DB_PASSWORD=broken-v1.3\n');

    const p = await plan('v1.3.0', 'v1.2.0');
    const step = p.steps.find((s) => s.id === 'config-from-snapshot');
    assert.ok(step, p.steps.map((s) => s.id).join(', '));
    assert.equal(step.title, 'Restore .env, .gitignore from the pre-deploy snapshot of v1.2.0');
    const result = await run(p);
    assert.equal(result.success, true, result.state);
    assert.deepEqual(readFileSync(join(host, '.env')), good, 'byte for byte');
    assert.equal(git(host, 'rev-parse', 'HEAD'), repo.tags['v1.2.0']);
  });

  test('a rollback to a release whose snapshot has no copy fails at that step, naming the host and the file; nothing is skipped silently', async () => {
    git(host, 'checkout', '-q', '--detach', 'v1.3.0');
    writeFileSync(join(host, '.env'), 'DB_PASSWORD=broken-v1.3\n');
    const result = await run(await plan('v1.3.0', 'v1.1.0'));
    assert.equal(result.success, false);
    const step = result.journal.steps.find((s) => s.stepId === 'config-from-snapshot');
    assert.equal(step?.outcome, 'failed');
    assert.match(`${step?.detail ?? ''}\n${step?.outputTail ?? ''}`, new RegExp(`local:${host}/\\.rollback/snapshots/${repo.tags['v1.1.0']}/files/\\.env is missing: no pre-deploy snapshot of v1\\.1\\.0 copied \\.env`));
    assert.equal(readFileSync(join(host, '.env'), 'utf8'), 'DB_PASSWORD=broken-v1.3\n');
  });

  test('a snapshot copy that no longer matches its checksum is refused, not restored', async () => {
    const copy = join(host, '.rollback', 'snapshots', repo.tags['v1.2.0'], 'files', '.env');
    assert.ok(existsSync(copy));
    writeFileSync(copy, 'tampered\n');
    git(host, 'checkout', '-q', '--detach', 'v1.3.0');
    writeFileSync(join(host, '.env'), 'DB_PASSWORD=broken-v1.3\n');
    const result = await run(await plan('v1.3.0', 'v1.2.0'));
    const step = result.journal.steps.find((s) => s.stepId === 'config-from-snapshot');
    assert.equal(step?.outcome, 'failed');
    assert.match(`${step?.detail ?? ''}\n${step?.outputTail ?? ''}`, /files\/\.env does not match its checksum in \.rollback\/snapshots\/[0-9a-f]{40}\/SHA256SUMS: not restored/);
    assert.equal(readFileSync(join(host, '.env'), 'utf8'), 'DB_PASSWORD=broken-v1.3\n');
  });
});
