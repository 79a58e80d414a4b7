import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyChecklistOverrides,
  applyEvent,
  createChecklistState,
  defaultItems,
  loadChecklistFromJournal,
  serializeChecklist,
  timerStatus,
  type ChecklistState,
} from '../../../src/core/checklist';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';

const fixtures = join(__dirname, '../../fixtures/journals');
const journal = (name: string): RollbackJournal => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as RollbackJournal;
const base = journal('v1-succeeded-no-checklist.json');
const runId = base.runId;
const t = (iso: string) => Date.parse(iso);
const item = (s: ChecklistState, id: string) => {
  const found = s.items.find((i) => i.id === id);
  assert.ok(found, `item ${id} exists`);
  return found;
};

function started(): ChecklistState {
  const { state } = createChecklistState({ runId, decidedAt: base.decidedAt });
  return applyEvent(state, { type: 'run-started', runId, plan: base.plan, at: t('2026-11-21T10:00:00Z') });
}

void test('defaults cover the five runbook sections with unique ids', () => {
  const items = defaultItems();
  assert.deepEqual([...new Set(items.map((i) => i.section))], ['before', 'communication', 'verification', 'after']);
  assert.equal(new Set(items.map((i) => i.id)).size, items.length);
  assert.ok(items.every((i) => !i.checked));
});

void test('run-started fills the context, the live steps and one rollback item per plan step, and starts the timer', () => {
  const s = started();
  assert.equal(s.runStatus, 'running');
  assert.equal(s.context?.from.name, 'v1.4.2');
  assert.deepEqual(s.steps.map((x) => [x.id, x.outcome]), base.plan.steps.map((p) => [p.id, 'pending']));
  assert.deepEqual(s.items.filter((i) => i.section === 'rollback').map((i) => i.id), base.plan.steps.map((p) => `step:${p.id}`));
  assert.ok(s.items.some((i) => i.id === 'check:health-api' && i.section === 'verification'));
  assert.match(item(s, 'identify-change').text ?? '', /v1\.4\.2 \(9f8e7d6\) → v1\.4\.1 \(1a2b3c4\)/);
  assert.deepEqual([item(s, 'start-timer').checked, item(s, 'start-timer').checkedAt], [true, '2026-11-21T10:00:00.000Z']);
});

void test('a step that finishes ok checks its item with the time; a failed retry un-checks only what the extension checked', () => {
  let s = started();
  const step = base.plan.steps.find((p) => p.id === 'build-api')!;
  s = applyEvent(s, { type: 'step-started', runId, step, at: t('2026-11-21T10:01:00Z') });
  assert.equal(s.steps.find((x) => x.id === 'build-api')?.outcome, 'running');
  assert.equal(item(s, 'step:build-api').checked, false);
  s = applyEvent(s, { type: 'step-finished', runId, stepId: 'build-api', outcome: 'ok', at: t('2026-11-21T10:02:00Z') });
  assert.deepEqual(
    { checked: item(s, 'step:build-api').checked, at: item(s, 'step:build-api').checkedAt, by: item(s, 'step:build-api').checkedBy },
    { checked: true, at: '2026-11-21T10:02:00.000Z', by: 'extension' },
  );
  s = applyEvent(s, { type: 'step-finished', runId, stepId: 'build-api', outcome: 'failed', at: t('2026-11-21T10:03:00Z'), detail: 'exit 1' });
  assert.equal(item(s, 'step:build-api').checked, false);
  assert.equal(s.steps.find((x) => x.id === 'build-api')?.detail, 'exit 1');

  s = applyEvent(s, { type: 'toggle-item', itemId: 'step:deploy-api', checked: true, at: t('2026-11-21T10:04:00Z'), by: 'alice' });
  s = applyEvent(s, { type: 'step-finished', runId, stepId: 'deploy-api', outcome: 'failed', at: t('2026-11-21T10:05:00Z') });
  assert.equal(item(s, 'step:deploy-api').checked, true, 'a human check stays');
  assert.equal(item(s, 'step:deploy-api').checkedBy, 'alice');
});

void test('plan-changed (full redeploy, switch to checkout): replaced steps and their generated items go, new ones come, done ones and notes stay', () => {
  let s = started();
  s = applyEvent(s, { type: 'step-finished', runId, stepId: 'build-api', outcome: 'ok', at: t('2026-11-21T10:02:00Z') });
  s = applyEvent(s, { type: 'edit-text', itemId: 'identify-change', text: 'the fast-path merge' });
  const redeploy = { id: 'full-redeploy', kind: 'full-redeploy' as const, title: 'Full redeploy of every service', why: 'x', commands: [], destructive: false };
  const check = { id: 'full-health-api', kind: 'health' as const, title: 'Health of api', why: 'x', commands: [], destructive: false };
  const steps = [...base.plan.steps.filter((p) => p.id !== 'deploy-api' && p.id !== 'health-api'), redeploy, check];
  s = applyEvent(s, { type: 'plan-changed', runId, plan: { ...base.plan, steps }, at: t('2026-11-21T10:03:00Z') });
  assert.deepEqual(s.steps.map((x) => x.id), steps.map((p) => p.id));
  assert.equal(s.steps.find((x) => x.id === 'build-api')?.outcome, 'ok', 'what ran keeps its outcome');
  const ids = s.items.map((i) => i.id);
  for (const gone of ['step:deploy-api', 'step:health-api', 'check:health-api']) assert.ok(!ids.includes(gone), `${gone} is gone`);
  for (const added of ['step:full-redeploy', 'step:full-health-api', 'check:full-health-api']) assert.ok(ids.includes(added), `${added} is there`);
  assert.equal(item(s, 'step:build-api').checked, true);
  assert.equal(item(s, 'identify-change').text, 'the fast-path merge');
});

void test('health steps ok check their own item and, when all checks pass, the verification item', () => {
  let s = started();
  s = applyEvent(s, { type: 'health-probe', runId, stepId: 'health-api', service: 'api', url: 'http://localhost:3101/health', status: 503, ok: false, at: t('2026-11-21T10:05:00Z') });
  assert.equal(s.checks.length, 1);
  assert.equal(item(s, 'checks-passed').checked, false);
  s = applyEvent(s, { type: 'step-finished', runId, stepId: 'health-api', outcome: 'ok', at: t('2026-11-21T10:06:00Z') });
  assert.equal(item(s, 'check:health-api').checkedAt, '2026-11-21T10:06:00.000Z');
  assert.equal(item(s, 'checks-passed').checkedAt, '2026-11-21T10:06:00.000Z');
});

void test('events of another run are ignored', () => {
  const s = started();
  assert.equal(applyEvent(s, { type: 'step-finished', runId: 'other', stepId: 'build-api', outcome: 'ok', at: 0 }), s);
});

void test('a sent notification checks its item; a copied or failed one does not', () => {
  let s = started();
  const rec = (id: string, kind: 'start' | 'all-clear', result: 'sent' | 'copied' | 'failed') =>
    ({ type: 'notification-result', record: { id, kind, text: 'x', at: '2026-11-21T10:01:00.000Z', result } }) as const;
  s = applyEvent(s, rec('1', 'start', 'copied'));
  s = applyEvent(s, rec('2', 'all-clear', 'failed'));
  assert.equal(item(s, 'notify-team').checked, false);
  assert.equal(item(s, 'all-clear').checked, false);
  assert.equal(s.notifications.length, 2, 'failures are recorded, not dropped');
  s = applyEvent(s, rec('3', 'start', 'sent'));
  assert.equal(item(s, 'notify-team').checkedAt, '2026-11-21T10:01:00.000Z');
});

void test('manual toggles, text edits and action items', () => {
  let s = started();
  s = applyEvent(s, { type: 'toggle-item', itemId: 'watch-logs', checked: true, at: t('2026-11-21T10:02:00Z'), by: 'alice' });
  assert.equal(item(s, 'watch-logs').checkedBy, 'alice');
  s = applyEvent(s, { type: 'toggle-item', itemId: 'watch-logs', checked: false, at: t('2026-11-21T10:03:00Z'), by: 'alice' });
  assert.equal(item(s, 'watch-logs').checkedAt, undefined);
  s = applyEvent(s, { type: 'edit-text', itemId: 'document-state', text: 'checkout 500s' });
  assert.equal(item(s, 'document-state').text, 'checkout 500s');
  s = applyEvent(s, { type: 'add-action-item', id: 'a1', text: 'Add a test', at: t('2026-11-21T11:00:00Z') });
  s = applyEvent(s, { type: 'edit-action-item', id: 'a1', owner: 'bob', done: true });
  assert.deepEqual(s.actionItems, [{ id: 'a1', text: 'Add a test', owner: 'bob', done: true, createdAt: '2026-11-21T11:00:00.000Z' }]);
  s = applyEvent(s, { type: 'remove-action-item', id: 'a1' });
  assert.deepEqual(s.actionItems, []);
});

void test('overrides add, remove and reword items', () => {
  const { items, problems } = applyChecklistOverrides(defaultItems(), {
    remove: ['feature-flags'],
    reword: { 'watch-logs': 'Watch the Grafana board' },
    add: [{ id: 'check-queues', section: 'verification', label: 'Queues drained', kind: 'manual' }],
  });
  assert.deepEqual(problems, []);
  assert.ok(!items.some((i) => i.id === 'feature-flags'));
  assert.equal(items.find((i) => i.id === 'watch-logs')?.label, 'Watch the Grafana board');
  assert.deepEqual(items.find((i) => i.id === 'check-queues'), { id: 'check-queues', section: 'verification', label: 'Queues drained', kind: 'manual', checked: false });
});

void test('bad overrides are reported at their path with what is expected, and the rest still applies', () => {
  const { items, problems } = applyChecklistOverrides(defaultItems(), {
    remove: ['feature-flag'],
    reword: { 'watch-logz': 'x', 'all-clear': 42 },
    add: [
      { id: 'pager', section: 'communication', label: 'Page the DBA', kind: 'phone-call' },
      { id: 'steps', section: 'rollback', label: 'x', kind: 'auto-step' },
      { id: 'ok-item', section: 'later', label: 'x' },
      { id: 'kept', section: 'after', label: 'Kept one' },
    ],
    extra: true,
  });
  const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
  assert.match(byPath['checklist.remove[0]'] ?? '', /unknown checklist item id "feature-flag" \(did you mean "feature-flags"\?\)/);
  assert.match(byPath['checklist.reword.watch-logz'] ?? '', /did you mean "watch-logs"/);
  assert.match(byPath['checklist.reword.all-clear'] ?? '', /expected the new label as non-empty text; got number/);
  assert.match(byPath['checklist.add[0].kind'] ?? '', /unknown item kind "phone-call"; expected one of: manual, text/);
  assert.match(byPath['checklist.add[1].kind'] ?? '', /created by the extension/);
  assert.match(byPath['checklist.add[2].section'] ?? '', /unknown section "later"; expected one of: before, communication, rollback, verification, after/);
  assert.match(byPath['checklist.extra'] ?? '', /expected add, remove or reword/);
  assert.equal(problems.length, 7);
  assert.ok(items.some((i) => i.id === 'kept' && i.kind === 'manual'));
  assert.ok(items.some((i) => i.id === 'feature-flags'));
});

void test('the timer reports elapsed time and the escalation points due, until handled', () => {
  const decided = '2026-11-21T10:00:00.000Z';
  const at = (min: number) => t(decided) + min * 60_000;
  assert.deepEqual(timerStatus(decided, [5, 15], [], at(4.5)).due, []);
  assert.equal(timerStatus(decided, [5, 15], [], at(4.5)).next?.minute, 5);
  const t6 = timerStatus(decided, [15, 5], [], at(6));
  assert.equal(t6.label, '6:00');
  assert.deepEqual(t6.due.map((e) => [e.minute, e.kind]), [[5, 'update']]);
  const t16 = timerStatus(decided, [5, 15], [5], at(16));
  assert.deepEqual(t16.due.map((e) => [e.minute, e.kind]), [[15, 'next-layer']]);
  assert.match(t16.due[0]!.suggestion, /check out the last-known-good|backup/);
  assert.equal(timerStatus(decided, [5, 15], [], at(61.5)).label, '1:01:30');
});

void test('state round-trips through the journal', () => {
  const s = applyEvent(started(), { type: 'edit-text', itemId: 'document-state', text: 'broken' });
  const loaded = loadChecklistFromJournal({ ...base, checklist: serializeChecklist(s) });
  assert.equal(loaded.notice, undefined);
  assert.deepEqual(loaded.state, s);
});

void test('a journal written before the checklist existed gets one rebuilt from its steps', () => {
  const { state, notice } = loadChecklistFromJournal(base);
  assert.equal(notice, undefined);
  assert.equal(state.runStatus, 'succeeded');
  assert.ok(state.steps.every((s) => s.outcome === 'ok'));
  assert.equal(state.items.find((i) => i.id === 'step:build-api')?.checkedAt, '2026-11-21T10:04:00.000Z');
});

void test('a checklist of a newer or unknown version is reported, kept verbatim and left read-only', () => {
  const future = { version: 7, items: 'something new' };
  const loaded = loadChecklistFromJournal({ ...base, checklist: future });
  assert.match(loaded.notice ?? '', /journal run-20261121-1000-prod is version 7, written by a newer Rollback Pilot.*kept unchanged/);
  assert.deepEqual(serializeChecklist(loaded.state), future);
  assert.equal(applyEvent(loaded.state, { type: 'edit-text', itemId: 'document-state', text: 'x' }), loaded.state);

  const unversioned = loadChecklistFromJournal({ ...base, checklist: { checked: ['watch-logs'] } });
  assert.match(unversioned.notice ?? '', /has no version field/);
  assert.deepEqual(serializeChecklist(unversioned.state), { checked: ['watch-logs'] });
});
