// The redactor at the engine's ports, with the real adapters behind them: the local shell,
// the journal files, the events bus, the log sink.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RollbackPlan } from '../../../src/core/plan/types';
import { REDACTED, RedactingRollbackEvents, redactingCommandRunner, redactingJournalStore, redactingPrompter, redactLogLine, Redactor } from '../../../src/core/redact';
import { RollbackEvents, type RollbackEvent } from '../../../src/core/run/events';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import type { Prompter } from '../../../src/core/run/ports';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { tempDir } from '../engine/helpers';

const tmp = tempDir('redact-ports');
after(() => tmp.cleanup());

function redactor(): Redactor {
  const r = new Redactor();
  r.setSource('env-file:.env', ['env-Secret-42xy']);
  return r;
}

test('the local shell through the redacting runner: chunks cut inside a secret, the result, a failing command', async () => {
  const runner = redactingCommandRunner(new LocalCommandRunner(), redactor());
  const chunks: string[] = [];
  // printf in pieces with pauses: the secrets arrive split across chunks, as from a slow build.
  const r = await runner.run("printf 'PGPASS'; sleep 0.1; printf 'WORD=hunter2x and env-Sec'; sleep 0.1; printf 'ret-42xy\\nnext line'; printf 'x_token=ab12cd' >&2; exit 4", {
    onOutput: (c, stream) => chunks.push(`${stream}:${c}`),
  });
  const shown = chunks.join('');
  for (const secret of ['hunter2x', 'env-Secret-42xy', 'ab12cd']) {
    assert.ok(!shown.includes(secret), `${secret} in the stream: ${shown}`);
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `${secret} in the result`);
  }
  assert.equal(r.code, 4);
  assert.equal(r.stdout, `PGPASSWORD=${REDACTED} and ${REDACTED}\nnext line`);
  assert.equal(r.stderr, `x_token=${REDACTED}`);
  assert.match(shown, /next line/, 'the last line without a newline is shown when the command ends');
  await runner.dispose();
});

test('journals on disk: outputs, details, events, checklist and the reason redacted; the plan commands kept exactly for Resume; a foreign journal is redacted when read', async () => {
  const dir = join(tmp.dir, 'journals');
  const store = redactingJournalStore(new FileJournalStore(dir), redactor());
  const command = 'PGPASSWORD=cfg-Pass-1 psql -h db -c "select 1"';
  const plan = {
    id: 'rb-1',
    environment: 'production',
    where: 'local',
    strategy: 'revert',
    from: { name: 'v2', sha: 'a'.repeat(40) },
    to: { name: 'v1', sha: 'b'.repeat(40) },
    targetSource: 'previous-tag',
    reason: 'db broken, DB_PASSWORD=reason-Pass-2',
    steps: [{ id: 's1', kind: 'database', title: 'Fix', why: 'why', commands: [{ command, where: 'local' }], destructive: false }],
    affectedServices: [],
    createdAt: '2026-12-01T00:00:00Z',
    createdBy: 'dana@laptop',
  } satisfies RollbackPlan;
  const journal: RollbackJournal = {
    version: 1,
    runId: 'rb-1',
    plan,
    operator: 'dana@laptop',
    decidedAt: '2026-12-01T00:00:00Z',
    status: 'failed',
    steps: [{ stepId: 's1', outcome: 'failed', attempts: 1, outputTail: `$ ${command}\nconnecting with env-Secret-42xy`, detail: 'exit code 2: postgres://app:url-Pass-3@db/app refused' }],
    events: [{ at: '2026-12-01T00:00:01Z', kind: 'failure-decision', message: 'skip (Authorization: Bearer typed-Token-4)', data: { detail: 'api_key=data-Key-5' } }],
    checklist: { items: [{ id: 'document-state', text: 'noted GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789' }] },
  };
  const before = JSON.stringify(journal);
  await store.save(journal);
  assert.equal(JSON.stringify(journal), before, 'the engine’s own journal is not changed');
  const onDisk = readFileSync(join(dir, 'rb-1.json'), 'utf8');
  for (const secret of ['env-Secret-42xy', 'url-Pass-3', 'typed-Token-4', 'data-Key-5', 'ghp_abcdef', 'reason-Pass-2']) assert.ok(!onDisk.includes(secret), `${secret} on disk`);
  const loaded = await store.load('rb-1');
  assert.equal(loaded?.plan.steps[0].commands[0].command, command, 'Resume runs exactly the planned command');
  assert.equal(loaded?.steps[0].outputTail, `$ PGPASSWORD=${REDACTED} psql -h db -c "select 1"\nconnecting with ${REDACTED}`);

  // A journal written without the redactor (an older version, or one that came with a pull) is redacted as it is read.
  mkdirSync(join(tmp.dir, 'foreign'), { recursive: true });
  writeFileSync(join(tmp.dir, 'foreign', 'rb-1.json'), before);
  const foreign = await redactingJournalStore(new FileJournalStore(join(tmp.dir, 'foreign')), redactor()).list();
  assert.equal(foreign.length, 1);
  assert.ok(!JSON.stringify(foreign[0].steps).includes('env-Secret-42xy'));
  assert.ok(!foreign[0].plan.reason.includes('reason-Pass-2'));
});

test('events: every listener gets the redacted event; an event with nothing to redact is the same object', () => {
  const r = redactor();
  const inner = new RollbackEvents();
  const bus = new RedactingRollbackEvents(r, inner);
  const got: RollbackEvent[] = [];
  inner.on((e) => got.push(e));
  const clean: RollbackEvent = { type: 'step-output', runId: 'r', stepId: 's', chunk: 'ok\n', stream: 'stdout' };
  bus.emit(clean);
  bus.emit({ type: 'health-probe', runId: 'r', stepId: 's', url: 'https://u:probe-Pass-6@api/health', status: null, ok: false, at: 1, error: 'env-Secret-42xy refused' });
  assert.equal(got[0], clean);
  assert.ok(!JSON.stringify(got[1]).includes('probe-Pass-6') && !JSON.stringify(got[1]).includes('env-Secret-42xy'), JSON.stringify(got[1]));
});

test('questions: objects redacted, the environment name the operator must type passed as it is', async () => {
  const r = new Redactor();
  r.setSource('s', ['production-db-7']);
  const asked: unknown[][] = [];
  const inner: Prompter = {
    chooseOnFailure: (...a) => (asked.push(a), Promise.resolve({ action: 'stop' })),
    confirmStep: () => Promise.resolve('run'),
    typeEnvironmentName: (env, steps) => (asked.push([env, steps]), Promise.resolve(env)),
  };
  const p = redactingPrompter(inner, r);
  const step = { id: 's', kind: 'database' as const, title: 'Drop on production-db-7', why: '', commands: [], destructive: true };
  assert.equal(await p.typeEnvironmentName('production-db-7', [step]), 'production-db-7');
  assert.equal(asked[0][0], 'production-db-7');
  assert.equal((asked[0][1] as Array<{ title: string }>)[0].title, `Drop on ${REDACTED}`);
});

test('JSON log lines are redacted value by value (escaped quotes inside them included)', () => {
  const r = redactor();
  const line = JSON.stringify({ event: 'rollback_start', reason: 'saw "PGPASSWORD": "log-Pass-8" and env-Secret-42xy', to: 'v1' });
  const out = redactLogLine(line, r);
  assert.ok(!out.includes('log-Pass-8') && !out.includes('env-Secret-42xy'), out);
  assert.deepEqual(Object.keys(JSON.parse(out) as object), ['event', 'reason', 'to']);
  assert.equal(redactLogLine('plain PGPASSWORD=x1 line', r), `plain PGPASSWORD=${REDACTED} line`);
});
