import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  emptyRecords,
  markBad,
  parseRecords,
  recordDeploy,
  RecordsError,
  RecordsStore,
  serializeRecords,
  setDeployOutcome,
  setSnapshot,
} from '../../../src/core/releases';
import { fileRecordsStorage } from '../../../src/infra/files/recordsFileStorage';
import { tempDir } from './gitFixture';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const FILE = '.rollback/records.json';

function parseError(text: string): RecordsError {
  try {
    parseRecords(text, FILE);
  } catch (e) {
    assert.ok(e instanceof RecordsError);
    return e;
  }
  assert.fail('expected a RecordsError');
}

void describe('release records: JSON format and validation', () => {
  void it('round-trips deploys, bad marks and the snapshot', () => {
    let r = setSnapshot(emptyRecords(), A);
    r = recordDeploy(r, { sha: B, at: '2024-03-01T10:00:00Z', environment: 'production', tag: 'v1.2.0', outcome: 'ok' });
    r = markBad(r, { sha: B, reason: 'checkout 500s', at: '2024-03-01T11:00:00Z', by: 'ada' });
    assert.deepEqual(parseRecords(serializeRecords(r), FILE), r);
  });

  void it('names the file, line and column of a JSON syntax error', () => {
    const e = parseError('{\n  "deploys": [],\n  "bad": [ , ]\n}\n');
    assert.equal(e.file, FILE);
    assert.equal(e.line, 3);
    assert.equal(e.column, 12);
    assert.match(e.message, /^\.rollback\/records\.json:3:12: not valid JSON/);
    // A trailing comma, which V8 reports without a position.
    const t = parseError('{"deploys": [1,,2]}');
    assert.equal(t.line, 1);
    assert.equal(t.column, 16);
  });

  void it('says which entry and field is wrong', () => {
    assert.equal(
      parseError(JSON.stringify({ deploys: [{ sha: 'abc123', at: '2024-01-01T00:00:00Z', environment: 'p' }] })).message,
      '.rollback/records.json: deploys[0]: sha must be a full lowercase commit SHA (40 or 64 hex digits), not "abc123"',
    );
    assert.match(parseError(JSON.stringify({ bad: [{ sha: A, reason: 'x', at: 'yesterday', by: 'me' }] })).message, /bad\[0\]: at must be an ISO 8601 time/);
    assert.match(parseError(JSON.stringify({ deploys: {} })).message, /deploys must be a list/);
    assert.match(parseError('[]').message, /top level must be an object/);
  });

  void it('validates what commands record', () => {
    assert.throws(() => recordDeploy(emptyRecords(), { sha: 'HEAD', at: '2024-01-01T00:00:00Z', environment: 'p' }), /Cannot record the deploy: sha must be a full/);
    assert.throws(() => markBad(emptyRecords(), { sha: A, reason: '  ', at: '2024-01-01T00:00:00Z', by: 'ada' }), /reason must say why/);
    assert.throws(() => setSnapshot(emptyRecords(), 'v1.0.0'), /snapshotSha must be a full/);
  });

  void it('keeps one bad mark per SHA (the newest reason) and updates the outcome of the newest matching deploy', () => {
    let r = markBad(emptyRecords(), { sha: A, reason: 'slow', at: '2024-01-01T00:00:00Z', by: 'ada' });
    r = markBad(r, { sha: A, reason: 'data loss', at: '2024-01-02T00:00:00Z', by: 'bob' });
    assert.deepEqual(r.bad.map((b) => b.reason), ['data loss']);
    r = recordDeploy(r, { sha: A, at: '2024-01-01T00:00:00Z', environment: 'production' });
    r = recordDeploy(r, { sha: A, at: '2024-01-03T00:00:00Z', environment: 'production' });
    r = setDeployOutcome(r, 'production', A, 'rolled-back');
    assert.deepEqual(r.deploys.map((d) => d.outcome), [undefined, 'rolled-back']);
    assert.throws(() => setDeployOutcome(r, 'staging', A, 'ok'), /No recorded deploy of aaaaaaa to staging/);
  });
});

void describe('RecordsStore on .rollback/records.json', () => {
  const tmp = tempDir('records');
  after(() => tmp.remove());
  let n = 0;
  const workspace = () => {
    const dir = join(tmp.path, `ws${++n}`);
    mkdirSync(dir);
    return { dir, file: join(dir, '.rollback', 'records.json') };
  };

  void it('starts empty without a file, creates the folder on first write, leaves no temp files', async () => {
    const { dir, file } = workspace();
    const store = new RecordsStore(fileRecordsStorage(file));
    assert.deepEqual(await store.load(), emptyRecords());
    assert.equal(store.problem, undefined);
    await store.recordDeploy({ sha: A, at: '2024-03-01T10:00:00Z', environment: 'production' });
    assert.deepEqual(readdirSync(join(dir, '.rollback')), ['records.json']);
    assert.deepEqual(parseRecords(readFileSync(file, 'utf8'), file).deploys, [{ sha: A, at: '2024-03-01T10:00:00Z', environment: 'production' }]);
  });

  void it('keeps every one of several updates made at once', async () => {
    const { file } = workspace();
    const store = new RecordsStore(fileRecordsStorage(file));
    const seen: number[] = [];
    store.onDidChange((r) => seen.push(r.deploys.length));
    await Promise.all([1, 2, 3, 4, 5].map((d) => store.recordDeploy({ sha: A, at: `2024-03-0${d}T10:00:00Z`, environment: 'production' })));
    const again = new RecordsStore(fileRecordsStorage(file));
    assert.equal((await again.load()).deploys.length, 5);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  });

  void it('works on empty records when the file is corrupt, names the file, and moves it aside before writing', async () => {
    const { dir, file } = workspace();
    mkdirSync(join(dir, '.rollback'));
    writeFileSync(file, '{\n  "deploys": [\n');
    const store = new RecordsStore(fileRecordsStorage(file));
    assert.deepEqual(await store.load(), emptyRecords());
    assert.ok(store.problem);
    assert.match(store.problem.message, new RegExp(`^${file.replace(/[.]/g, '\\.')}:3:1: not valid JSON`));
    await store.markBad({ sha: B, reason: 'errors spike', at: '2024-03-01T10:00:00Z', by: 'ada' });
    const names = readdirSync(join(dir, '.rollback')).sort();
    assert.equal(names.length, 2);
    assert.equal(names[0], 'records.json');
    assert.match(names[1], /^records\.json\.corrupt-/);
    assert.equal(readFileSync(join(dir, '.rollback', names[1]), 'utf8'), '{\n  "deploys": [\n');
    assert.deepEqual(parseRecords(readFileSync(file, 'utf8'), file).bad.map((b) => b.sha), [B]);
    assert.match(store.problem?.message ?? '', /was moved to .*records\.json\.corrupt-/);
  });

  void it('rejects an invalid update without touching the file', async () => {
    const { file } = workspace();
    const store = new RecordsStore(fileRecordsStorage(file));
    await store.setSnapshot(A);
    const before = readFileSync(file, 'utf8');
    await assert.rejects(store.recordDeploy({ sha: A, at: 'now', environment: 'production' }), /at must be an ISO 8601 time/);
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.equal(store.records.snapshotSha, A);
  });
});
