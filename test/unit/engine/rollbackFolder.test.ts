// A `.rollback` folder that is a symlink (or a file) must not redirect the journals and the
// release records: real symlinks on a real file system, the real FileJournalStore and records file.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { assertPlainFolders, confinedJournalStore, confinedRecordsStorage, UnsafeFolderError } from '../../../src/infra/files/fsConfinement';
import { fileRecordsStorage } from '../../../src/infra/files/recordsFileStorage';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { tempDir } from './helpers';

const journal = { version: 1, runId: 'rb-1', plan: {}, steps: [], events: [] } as unknown as RollbackJournal;
const stores = (root: string) => {
  const dir = join(root, '.rollback', 'journals');
  return { journals: confinedJournalStore(new FileJournalStore(dir), root, dir), records: confinedRecordsStorage(fileRecordsStorage(join(root, '.rollback', 'records.json')), root) };
};

test('a .rollback that is a symlink is refused before the first write, naming the link and where it points; nothing lands there', async () => {
  const t = tempDir('rb-folder');
  try {
    const ws = join(t.dir, 'ws');
    const elsewhere = join(t.dir, 'elsewhere');
    mkdirSync(ws);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(ws, '.rollback'));
    const s = stores(ws);
    const refusal = (e: unknown): boolean => e instanceof UnsafeFolderError && e.message.includes(`${join(ws, '.rollback')} is a symbolic link to ${elsewhere}`);
    await assert.rejects(s.journals.save(journal), refusal);
    await assert.rejects(s.journals.list(), refusal);
    await assert.rejects(s.journals.load('rb-1'), refusal);
    await assert.rejects(s.records.write('{}'), refusal);
    await assert.rejects(s.records.read(), refusal);
    assert.deepEqual(readdirSync(elsewhere), [], 'no journal and no records file were written through the link');
  } finally {
    t.cleanup();
  }
});

test('a symlinked .rollback/journals, a dangling link and a .rollback that is a file are refused too', async () => {
  const t = tempDir('rb-folder');
  try {
    const ws = join(t.dir, 'ws');
    const elsewhere = join(t.dir, 'elsewhere');
    mkdirSync(join(ws, '.rollback'), { recursive: true });
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(ws, '.rollback', 'journals'));
    await assert.rejects(stores(ws).journals.save(journal), new RegExp(`${join(ws, '.rollback', 'journals').replace(/[.]/g, '\\.')} is a symbolic link to ${elsewhere}`));
    assert.deepEqual(readdirSync(elsewhere), []);

    const ws2 = join(t.dir, 'ws2');
    mkdirSync(ws2);
    symlinkSync(join(t.dir, 'nowhere'), join(ws2, '.rollback'));
    await assert.rejects(stores(ws2).journals.save(journal), /is a symbolic link to .*nowhere \(which does not exist\)/);
    assert.equal(existsSync(join(t.dir, 'nowhere')), false, 'mkdir did not follow the dangling link');

    const ws3 = join(t.dir, 'ws3');
    mkdirSync(ws3);
    writeFileSync(join(ws3, '.rollback'), 'not a folder');
    await assert.rejects(stores(ws3).journals.save(journal), new RegExp(`${join(ws3, '.rollback').replace(/[.]/g, '\\.')} is not a folder \\(it is a file\\)`));
    await assert.rejects(assertPlainFolders(ws3, '../outside'), /is outside the workspace/);
  } finally {
    t.cleanup();
  }
});

test('a real .rollback folder, or none yet, works as before', async () => {
  const t = tempDir('rb-folder');
  try {
    const ws = join(t.dir, 'ws');
    mkdirSync(ws);
    const s = stores(ws);
    assert.deepEqual(await s.journals.list(), [], 'no folder yet: nothing to list, no error');
    await s.journals.save(journal);
    assert.equal((await s.journals.load('rb-1'))?.runId, 'rb-1');
    await s.records.write('{"version":1}');
    assert.equal(readFileSync(join(ws, '.rollback', 'records.json'), 'utf8'), '{"version":1}');
    // A records file the user set outside the workspace on purpose is not checked.
    const outside = confinedRecordsStorage(fileRecordsStorage(join(t.dir, 'shared', 'records.json')), ws);
    await outside.write('{}');
    assert.equal(await outside.read(), '{}');
  } finally {
    t.cleanup();
  }
});
