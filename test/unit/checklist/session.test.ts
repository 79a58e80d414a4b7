import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChecklistJournalBridge, ChecklistService, type ChecklistSession } from '../../../src/core/checklist';
import { WebhookSender } from '../../../src/core/notify';
import type { RollbackPlan } from '../../../src/core/plan/types';
import { RollbackEvents } from '../../../src/core/run/events';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import type { Prompter } from '../../../src/core/run/ports';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';

const posted: unknown[] = [];
let receiver: Server;
let webhook = '';
let work = '';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'rp-checklist-'));
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posted.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/secret-token`;
});

after(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

/** The user's answers; this plan has nothing destructive and nothing fails, so none is asked. */
const prompter: Prompter = {
  chooseOnFailure: () => Promise.resolve({ action: 'stop' }),
  confirmStep: () => Promise.resolve('run'),
  typeEnvironmentName: () => Promise.resolve(undefined),
};

function plan(id: string): RollbackPlan {
  const step = (sid: string, kind: RollbackPlan['steps'][number]['kind'], title: string, command?: string) => ({
    id: sid, kind, title, why: 'test', destructive: false, commands: command ? [{ command, where: 'local' }] : [],
  });
  return {
    id, environment: 'staging', where: 'local', strategy: 'revert',
    from: { name: 'v2.0.0', sha: 'b'.repeat(40) }, to: { name: 'v1.9.0', sha: 'a'.repeat(40) },
    targetSource: 'previous-tag', reason: 'login fails', affectedServices: ['web'], createdAt: '2026-11-21T09:00:00.000Z', createdBy: 'tester',
    steps: [step('notify-start', 'notify', 'Notify the team'), step('build-web', 'build', 'Build web', 'echo built'), step('smoke-web', 'smoke', 'Smoke web', 'true')],
    ...({ cwd: work } as object),
  } as RollbackPlan;
}

function setup(journalDir: string, events: RollbackEvents) {
  const bridge = new ChecklistJournalBridge(new FileJournalStore(journalDir));
  let n = 0;
  const service = new ChecklistService({
    events, journals: bridge, sender: new WebhookSender(new NodeHttp(), 2000), webhookUrl: () => Promise.resolve(webhook),
    settings: () => ({ overrides: { reword: { 'watch-logs': 'Watch the web logs' } } }), now: () => Date.now(), newId: () => `id-${++n}`, log: () => undefined,
  });
  return { bridge, service };
}

void test('a real run: steps and the webhook notify check items live, a hand check mid-run survives the engine\'s saves, and a reload gets it all back', async () => {
  const journalDir = join(work, 'journals');
  const events = new RollbackEvents();
  const { bridge, service } = setup(journalDir, events);
  const seen: string[] = [];
  let session: ChecklistSession | undefined;
  service.onDidStartRun((s) => {
    session = s;
    s.apply({ type: 'toggle-item', itemId: 'watch-logs', checked: true, at: Date.now(), by: 'alice' });
    s.onDidChange((x) => seen.push(x.state.steps.map((st) => st.outcome).join(',')));
  });
  const runner = new RollbackRunner({
    runnerFor: () => new LocalCommandRunner({ cwd: work }), journals: bridge, prompter, http: new NodeHttp(), events,
    notify: service.notifier, operator: 'tester@host',
  });
  const result = await runner.run(plan('run-a'), { decidedAt: '2026-11-21T08:59:00.000Z' });
  assert.equal(result.success, true, result.state);
  assert.ok(session);
  await session.whenSaved();
  assert.ok(seen.includes('ok,running,pending'), `steps went live: ${seen.join(' | ')}`);

  assert.match((posted.at(-1) as { text: string }).text, /^Rolling back v2\.0\.0 to v1\.9\.0 on staging because login fails\./);

  const onDisk = JSON.parse(readFileSync(join(journalDir, 'run-a.json'), 'utf8')) as RollbackJournal;
  assert.equal(onDisk.status, 'succeeded');
  const c = onDisk.checklist as ChecklistSession['state'];
  const item = (id: string) => c.items.find((i) => i.id === id);
  assert.equal(c.decidedAt, '2026-11-21T08:59:00.000Z');
  assert.deepEqual([item('watch-logs')?.label, item('watch-logs')?.checkedBy], ['Watch the web logs', 'alice']);
  assert.equal(item('notify-team')?.checkedBy, 'extension');
  assert.ok(item('step:build-web')?.checkedAt);
  assert.ok(item('checks-passed')?.checked);
  assert.equal(c.runStatus, 'succeeded');

  const reloaded = await setup(journalDir, new RollbackEvents()).service.open('run-a');
  assert.deepEqual(reloaded?.state, session.state);
  const history = await setup(journalDir, new RollbackEvents()).service.open('run-a', { readOnly: true });
  history?.apply({ type: 'toggle-item', itemId: 'changelog', checked: true, at: Date.now(), by: 'bob' });
  assert.equal(history?.state.items.find((i) => i.id === 'changelog')?.checked, false, 'history is read-only');
  service.dispose();
});

void test('a failed send is recorded with its reason and can be retried', async () => {
  const events = new RollbackEvents();
  const journalDir = join(work, 'journals-b');
  const bridge = new ChecklistJournalBridge(new FileJournalStore(journalDir));
  let url = `http://127.0.0.1:1/hooks/secret-token`;
  let n = 0;
  const service = new ChecklistService({
    events, journals: bridge, sender: new WebhookSender(new NodeHttp(), 1000), webhookUrl: () => Promise.resolve(url),
    settings: () => ({}), now: () => Date.now(), newId: () => `n-${++n}`, log: () => undefined,
  });
  events.emit({ type: 'run-started', runId: 'run-b', plan: plan('run-b'), at: Date.now() });
  const session = await service.open('run-b');
  assert.ok(session);
  const failed = await session.send('start', 'Rolling back by hand');
  assert.equal(failed.result, 'failed');
  assert.ok(failed.error && !failed.error.includes('secret-token'));
  assert.equal(session.state.items.find((i) => i.id === 'notify-team')?.checked, false);
  url = webhook;
  const retried = await session.retry(failed.id);
  assert.equal(retried?.result, 'sent');
  assert.deepEqual(session.state.notifications.map((x) => x.result), ['failed', 'sent']);
  assert.equal(session.state.items.find((i) => i.id === 'notify-team')?.checked, true);
  service.dispose();
});

void test('after a reload, resuming a stopped run continues the checklist from its journal', async () => {
  const journalDir = join(work, 'journals-c');
  const flag = join(work, 'deploy-may-pass');
  const p = plan('run-c');
  p.steps.push({ id: 'deploy-web', kind: 'deploy', title: 'Deploy web', why: 'test', destructive: false, commands: [{ command: `test -e '${flag}'`, where: 'local' }] });
  const engine = (bridge: ChecklistJournalBridge, events: RollbackEvents, service: ChecklistService) =>
    new RollbackRunner({ runnerFor: () => new LocalCommandRunner({ cwd: work }), journals: bridge, prompter, http: new NodeHttp(), events, notify: service.notifier, operator: 'tester@host' });

  const first = (() => {
    const events = new RollbackEvents();
    return { events, ...setup(journalDir, events) };
  })();
  let firstSession: ChecklistSession | undefined;
  first.service.onDidStartRun((s) => {
    firstSession = s;
    s.apply({ type: 'add-action-item', id: 'a1', text: 'Find out why deploy fails', at: Date.now() });
  });
  const stopped = await engine(first.bridge, first.events, first.service).run(p);
  assert.equal(stopped.success, false);
  await firstSession?.whenSaved();
  first.service.dispose();

  // A new window: nothing in memory, only the journal on disk.
  const events = new RollbackEvents();
  const { bridge, service } = setup(journalDir, events);
  const journal = await bridge.load('run-c');
  assert.ok(journal);
  let resumed: ChecklistSession | undefined;
  service.onDidStartRun((s) => (resumed = s));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(flag, '');
  const result = await engine(bridge, events, service).resume(journal);
  assert.equal(result.success, true, result.state);
  assert.ok(resumed);
  await resumed.whenSaved();
  assert.deepEqual(resumed.state.actionItems.map((a) => a.text), ['Find out why deploy fails']);
  assert.equal(resumed.state.runStatus, 'succeeded');
  assert.equal(resumed.state.items.find((i) => i.id === 'step:deploy-web')?.checked, true);
  const onDisk = JSON.parse(readFileSync(join(journalDir, 'run-c.json'), 'utf8')) as RollbackJournal;
  assert.deepEqual((onDisk.checklist as ChecklistSession['state']).actionItems.map((a) => a.id), ['a1']);
  service.dispose();
});

void test('without a webhook the notify step copies the message for pasting: recorded as copied, never as a failed send', async () => {
  const journalDir = join(work, 'journals-nowebhook');
  const events = new RollbackEvents();
  const bridge = new ChecklistJournalBridge(new FileJournalStore(journalDir));
  const copied: string[] = [];
  let n = 0;
  const service = new ChecklistService({
    events, journals: bridge, sender: new WebhookSender(new NodeHttp(), 2000), webhookUrl: () => Promise.resolve(undefined),
    settings: () => ({}), now: () => Date.now(), newId: () => `nw-${++n}`, log: () => undefined,
    copyInstead: (text) => { copied.push(text); return Promise.resolve(); },
  });
  const postedBefore = posted.length;
  const runner = new RollbackRunner({ runnerFor: () => new LocalCommandRunner({ cwd: work }), journals: bridge, prompter, http: new NodeHttp(), events, notify: service.notifier, operator: 'tester@host' });
  const result = await runner.run(plan('run-nw'));
  assert.equal(result.success, true, result.state);
  assert.equal(posted.length, postedBefore, 'nothing was posted anywhere');
  assert.equal(copied.length, 1);
  assert.match(copied[0], /^Rolling back v2\.0\.0 to v1\.9\.0 on staging because login fails/);
  const journal = JSON.parse(readFileSync(join(journalDir, 'run-nw.json'), 'utf8')) as RollbackJournal;
  const notes = (journal.checklist as ChecklistSession['state']).notifications;
  assert.deepEqual(notes.map((x) => x.result), ['copied']);
  const notifyStep = journal.steps.find((s) => s.stepId === 'notify-start');
  assert.equal(notifyStep?.outcome, 'skipped');
  assert.match(notifyStep?.detail ?? '', /copied for pasting/);
  service.dispose();
});
