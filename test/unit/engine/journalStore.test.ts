// The journal file store: durable writes (the file and its folder are fsynced, seen with
// strace on a real save), and journal files that cannot be read are reported with the
// reason instead of vanishing from Resume.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { resumeListing } from '../../../src/core/run/resumable';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { tempDir } from './helpers';

const tmp = tempDir('journal-store');
after(() => tmp.cleanup());

function journal(runId: string): RollbackJournal {
  return {
    version: 1, runId, operator: 'dana@laptop', decidedAt: '2026-12-01T09:00:00Z', startedAt: '2026-12-01T09:00:00Z', status: 'running', events: [],
    plan: { id: runId, environment: 'staging', where: 'local', strategy: 'revert', from: { name: 'v2', sha: 'b'.repeat(40) }, to: { name: 'v1', sha: 'a'.repeat(40) }, targetSource: 'previous-tag', reason: 'x', affectedServices: [], createdAt: '2026-12-01T09:00:00Z', createdBy: 'dana', steps: [] },
    steps: [],
  };
}

const hasStrace = spawnSync('strace', ['-V']).status === 0;

test('a save fsyncs the temp file, renames it over the journal, then fsyncs the folder (strace of a real save)', { skip: !hasStrace && 'strace is not installed (apt-get install strace)' }, () => {
  const dir = join(tmp.dir, 'durable');
  const script = join(tmp.dir, 'save-once.ts');
  writeFileSync(
    script,
    `import { FileJournalStore } from ${JSON.stringify(resolve(__dirname, '../../../src/infra/files/fileJournalStore'))};\n` +
      `void new FileJournalStore(${JSON.stringify(dir)}).save(${JSON.stringify(journal('durable'))});\n`,
  );
  const trace = join(tmp.dir, 'strace.out');
  const r = spawnSync('strace', ['-f', '-y', '-qq', '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2', '-o', trace, process.execPath, '--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const calls = readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes(dir));
  const fileSync = calls.findIndex((l) => /\bf(data)?sync\(\d+<[^>]*durable\.json\.\d+\.[0-9a-f]+\.tmp>\) = 0/.test(l));
  const renamed = calls.findIndex((l) => /rename(at2?)?\(.*\.tmp.*durable\.json/.test(l) && / = 0$/.test(l));
  const dirSync = calls.findIndex((l) => new RegExp(`\\bfsync\\(\\d+<${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>\\) = 0`).test(l));
  assert.ok(fileSync >= 0 && renamed > fileSync && dirSync > renamed, `expected fsync(temp) → rename → fsync(folder):\n${calls.join('\n')}`);
  assert.equal(JSON.parse(readFileSync(join(dir, 'durable.json'), 'utf8')).runId, 'durable');
  assert.deepEqual(readdirSync(dir), ['durable.json'], 'no temp file left');
});

test('torn, empty and foreign files in the journal folder are reported with the file and the reason, never dropped', async () => {
  const dir = join(tmp.dir, 'unreadable');
  const store = new FileJournalStore(dir);
  await store.save(journal('good'));
  const full = JSON.stringify(journal('torn'), null, 2);
  writeFileSync(join(dir, 'torn.json'), full.slice(0, Math.floor(full.length / 2)));
  writeFileSync(join(dir, 'empty.json'), '');
  writeFileSync(join(dir, 'future.json'), JSON.stringify({ ...journal('future'), version: 2 }));
  writeFileSync(join(dir, 'other.json'), '{"hello": "world"}');
  writeFileSync(join(dir, 'null.json'), 'null');
  assert.deepEqual((await store.list()).map((j) => j.runId), ['good']);
  const problems = await store.problems();
  assert.deepEqual(problems.map((p) => p.file), ['empty', 'future', 'null', 'other', 'torn'].map((n) => join(dir, `${n}.json`)));
  const reason = (n: string) => problems.find((p) => p.file === join(dir, `${n}.json`))!.reason;
  assert.match(reason('torn'), /^not valid JSON \(.*\); \d+ bytes, cut off or edited by hand$/);
  assert.match(reason('empty'), /^empty file \(0 bytes\)/);
  assert.match(reason('future'), /^journal version 2 is not supported \(expected 1\)$/);
  assert.match(reason('other'), /^not a rollback journal \(version, runId, plan, steps or events missing\)$/);
  assert.match(reason('null'), /^not a rollback journal \(the file holds null\)$/);
  const listing = await resumeListing(store);
  assert.deepEqual(listing.runs.map((j) => j.runId), ['good']);
  assert.equal(listing.unreadable.length, 5, 'what Resume shows beside the runs');
});

test('a save that fails says which journal file it could not write', async () => {
  const dir = join(tmp.dir, 'blocked');
  writeFileSync(dir, 'a file where the folder should be');
  await assert.rejects(new FileJournalStore(dir).save(journal('x')), (e: Error) => e.message.startsWith(`could not write the journal ${join(dir, 'x.json')}: `));
});
