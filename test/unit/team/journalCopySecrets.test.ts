// The team's copy of a journal on the target is for reading, never for resuming: a password
// written into a rollback.yml command (PGPASSWORD=…, a user:pass@ URL) is not copied to the host,
// while the local journal keeps the plan runnable. Real /bin/sh writes the copy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { journalCopyFile, writeJournalCopy } from '../../../src/core/run/journalCopy';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { tempDir } from '../engine/helpers';

const tmp = tempDir('journal-copy-secrets');
after(() => tmp.cleanup());

test('the copy on the target has the plan with its passwords redacted', async () => {
  const journal = {
    version: 1,
    runId: 'rb-20261202T050000-abcdef',
    status: 'running',
    plan: {
      id: 'rb-20261202T050000-abcdef',
      environment: 'production',
      reason: 'api 500',
      steps: [{ id: 'db-fix', kind: 'database', title: 'Fix', why: 'w', destructive: false, commands: [{ command: 'PGPASSWORD=hunter2-Secret psql -h db -U app', where: 'local' }, { command: 'psql postgres://app:s3cret-Pw@db:5432/app', where: 'local' }] }],
    },
    steps: [],
  } as unknown as RollbackJournal;
  await writeJournalCopy(new LocalCommandRunner(), tmp.dir, journal);
  const copy = readFileSync(join(tmp.dir, journalCopyFile(journal.runId)), 'utf8');
  assert.doesNotMatch(copy, /hunter2-Secret|s3cret-Pw/);
  assert.match(copy, /psql -h db -U app/, 'the rest of the command is still there to read');
  assert.equal((JSON.parse(copy) as RollbackJournal).runId, journal.runId);
  assert.match(JSON.stringify(journal.plan), /hunter2-Secret/, 'the journal itself was not changed');
});
