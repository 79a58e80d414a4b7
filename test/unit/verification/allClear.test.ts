// Issue 13.4: the all-clear is earned. A real checklist (ChecklistService over the journal
// bridge), a real webhook receiver on 127.0.0.1 and the real runner: a skipped failing health
// check no longer sends "All clear: … health checks pass" nor records a good deploy; with a
// reason the operator types it goes out as "All clear, except: …", and the journal, the
// checklist and the post-mortem carry the reason; when every check passed it goes out by itself.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { AllClearBlockedError, ChecklistJournalBridge, ChecklistService, type ChecklistState } from '../../../src/core/checklist';
import { REASON_SLOT, WebhookSender } from '../../../src/core/notify';
import type { RollbackPlan } from '../../../src/core/plan/types';
import { renderPostmortem } from '../../../src/core/postmortem';
import { RedactingRollbackEvents, redactingJournalStore, Redactor } from '../../../src/core/redact';
import { emptyRecords, findLastKnownGood, listReleases, parseRecords, recordDeploy, serializeRecords } from '../../../src/core/releases';
import type { AllClearBlocker } from '../../../src/core/verification';
import { deployOutcomeOf } from '../../../src/core/verification';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { NodeHttp } from '../../../src/infra/http';
import { GitFixture, tempDir as releasesTemp } from '../releases/gitFixture';
import { ScriptedPrompter, tempDir } from '../engine/helpers';
import { checksPlan, runChecks, servicesFrom, startApp, stepOf, type TestApp } from './harness';

/** Answers like an operator: skips the failing check with a reason, then gives (or not) a reason to send the all-clear anyway. */
class Operator extends ScriptedPrompter {
  readonly askedAllClear: AllClearBlocker[][] = [];
  constructor(private readonly allClearReason: string | undefined) {
    super([{ action: 'skip', reason: 'the status page is down, the app was checked by hand' }]);
  }
  allClearException(blockers: AllClearBlocker[]): Promise<string | undefined> {
    this.askedAllClear.push(blockers);
    return Promise.resolve(this.allClearReason);
  }
}

let app: TestApp;
let hook: Server;
let hookUrl = '';
const posted: Array<{ text: string }> = [];
const tmp = tempDir('verif-allclear');

before(async () => {
  app = await startApp();
  app.healthDelayMs = 0;
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      posted.push(JSON.parse(body) as { text: string });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const addr = hook.address();
  hookUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hooks/T000/B000/abcdefabcdefabcdef`;
});
after(async () => {
  await app.close();
  hook.closeAllConnections();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
  tmp.cleanup();
});

/** One run with the checklist the extension builds: its notifier posts the all-clear. */
async function runWithChecklist(plan: RollbackPlan, prompter: ScriptedPrompter) {
  const dir = join(tmp.dir, plan.id);
  const redactor = new Redactor();
  const events = new RedactingRollbackEvents(redactor);
  const journals = new ChecklistJournalBridge(redactingJournalStore(new FileJournalStore(join(dir, '.rollback', 'journals')), redactor));
  const logs: string[] = [];
  const service = new ChecklistService({ events, journals, sender: new WebhookSender(new NodeHttp(), 3000), webhookUrl: () => Promise.resolve(hookUrl), settings: () => ({}), now: () => Date.now(), newId: () => randomUUID(), log: (l) => logs.push(l) });
  const before = posted.length;
  const run = await runChecks(plan, { dir, prompter, notify: service.notifier, journals, events, redactor, secrets: { 'operator-token': `Bearer ${app.operatorToken}` } });
  const session = await service.open(plan.id);
  assert.ok(session, 'the checklist session of the run');
  await session.whenSaved();
  const onDisk = await journals.load(plan.id);
  service.dispose();
  return { ...run, session, onDisk: onDisk!, messages: posted.slice(before).map((p) => p.text), logs };
}

const failingHealth = (base: string) => servicesFrom(`services:\n  api:\n    health: { url: "${base}/no-such-page", timeout: 600ms, interval: 200ms, from: local }\n`);

describe('a skipped failing health check', () => {
  it('withholds the all-clear when no reason is given: nothing claims the checks pass, and the deploy is recorded as unverified', { timeout: 30_000 }, async () => {
    const plan = checksPlan(failingHealth(app.base), { where: 'local', cwd: tmp.dir });
    const operator = new Operator(undefined);
    const r = await runWithChecklist(plan, operator);
    assert.equal(stepOf(r.result, 'health-api').outcome, 'skipped');
    assert.deepEqual(operator.askedAllClear.map((b) => b.map((x) => x.label)), [['api health skipped']]);
    assert.match(operator.askedAllClear[0][0].why ?? '', /status page is down/);
    const end = stepOf(r.result, 'notify-end');
    assert.equal(end.outcome, 'skipped');
    assert.match(end.detail ?? '', /^withheld: the all-clear goes out only when every check passed, and api health skipped\./);
    assert.deepEqual(r.messages, [], 'no all-clear was posted');
    assert.ok(r.onDisk.events.some((e) => e.kind === 'all-clear-withheld' && /api health skipped/.test(e.message)), 'the journal on disk says it was withheld');
    // The run itself is done (every step ran or was skipped by the operator), but the deploy is not a good one.
    assert.equal(r.result.journal.status, 'succeeded');
    assert.equal(deployOutcomeOf(r.onDisk), 'unverified');
    // The checklist: "all checks passed" stays unticked; its all-clear draft says what is missing; sending it without a reason is refused.
    const state = r.session.state as ChecklistState;
    assert.equal(state.items.find((i) => i.id === 'checks-passed')?.checked, false);
    const draft = r.session.drafts()['all-clear'];
    assert.ok(draft.startsWith(`All clear, except: api health skipped — reason: ${REASON_SLOT}. v1.4.0 rolled back to v1.3.0 on production.`), draft);
    assert.doesNotMatch(draft, /checks? pass/);
    const postedBefore = posted.length;
    await assert.rejects(r.session.send('all-clear', draft), (e: unknown) => e instanceof AllClearBlockedError && /api health skipped/.test(e.message));
    assert.equal(posted.length, postedBefore, 'still nothing posted');
  });

  it('sends it with the operator\'s reason: the message, the journal, the checklist and the post-mortem carry it', { timeout: 30_000 }, async () => {
    const plan = checksPlan(failingHealth(app.base), { where: 'local', cwd: tmp.dir });
    const reason = 'verified by hand: the old /health route is gone in v1.3.0';
    const r = await runWithChecklist(plan, new Operator(reason));
    assert.equal(r.messages.length, 1);
    assert.ok(r.messages[0].startsWith(`All clear, except: api health skipped — reason: ${reason}. v1.4.0 rolled back to v1.3.0 on production.`), r.messages[0]);
    const end = r.onDisk.steps.find((s) => s.stepId === 'notify-end')!;
    assert.equal(end.outcome, 'ok');
    assert.equal(end.detail, `sent, except: api health skipped — reason: ${reason}`);
    const exception = r.onDisk.events.find((e) => e.kind === 'all-clear-exception');
    assert.deepEqual([exception?.data?.reason, exception?.data?.by], [reason, 'dana@laptop']);
    const record = (r.session.state as ChecklistState).notifications.find((n) => n.kind === 'all-clear');
    assert.deepEqual(record?.except, { blockers: ['api health skipped'], reason });
    const pm = renderPostmortem(r.onDisk);
    assert.match(pm, new RegExp(`\\*\\*All-clear sent anyway\\*\\* \\(\\d\\d:\\d\\d:\\d\\d\\): All-clear sent although api health skipped; reason given by dana@laptop: ${reason.replace(/[./]/g, '\\$&')}`));
    assert.match(pm, /All-clear sent: All clear, except: api health skipped — reason:/);
    // Still not a good deploy: the reason explains the exception, it does not make the check pass.
    assert.equal(deployOutcomeOf(r.onDisk), 'unverified');
  });
});

test('every check passed: the all-clear goes out by itself, naming them, and the deploy is good', { timeout: 30_000 }, async () => {
  const services = servicesFrom(`services:\n  api:\n    health: { url: "${app.base}/health", json: { version: "{to}" }, from: local }\n    smoke:\n      - { name: internal health, url: "${app.base}/health/internal", headers: { Authorization: "secret:operator-token" }, from: local }\n`);
  const operator = new Operator('not asked');
  const r = await runWithChecklist(checksPlan(services, { where: 'local', cwd: tmp.dir }), operator);
  assert.deepEqual(operator.askedAllClear, [], 'nothing to explain');
  assert.equal(r.messages.length, 1);
  assert.match(r.messages[0], /^All clear: v1\.4\.0 rolled back to v1\.3\.0 on production; every check passed \(api health, api smoke\)\. Took /);
  assert.equal(stepOf(r.result, 'notify-end').detail, 'sent: every check passed (api health, api smoke)');
  assert.equal(deployOutcomeOf(r.onDisk), 'ok');
  assert.equal((r.session.state as ChecklistState).items.find((i) => i.id === 'checks-passed')?.checked, true);
});

test('an unverified deploy is never the last-known-good, and records files keep the outcome', async () => {
  const t = releasesTemp('verif-lkg');
  try {
    const repo = new GitFixture(t.path);
    const sha: Record<string, string> = {};
    for (const v of ['1.0.0', '1.1.0', '1.2.0']) {
      repo.commit(`work for ${v}`, { 'app.txt': v });
      repo.tag(`v${v}`, { annotated: true });
      sha[v] = repo.sha(`v${v}`);
    }
    let records = recordDeploy(emptyRecords(), { sha: sha['1.0.0'], at: '2026-11-01T10:00:00Z', environment: 'production', outcome: 'ok' });
    records = recordDeploy(records, { sha: sha['1.1.0'], at: '2026-11-02T10:00:00Z', environment: 'production', outcome: 'unverified' });
    records = recordDeploy(records, { sha: sha['1.2.0'], at: '2026-11-03T10:00:00Z', environment: 'production' });
    records = parseRecords(serializeRecords(records), 'records.json');
    assert.deepEqual(Object.fromEntries(records.deploys.map((d) => [d.tag ?? d.sha, d.outcome ?? 'none'])), { [sha['1.0.0']]: 'ok', [sha['1.1.0']]: 'unverified', [sha['1.2.0']]: 'none' }, 'the file keeps "unverified"');
    const listing = await listReleases(new SimpleGitPort(repo.dir), { tagPattern: 'v*', records });
    assert.equal(findLastKnownGood(listing)?.release.name, 'v1.0.0', 'v1.1.0 ran but nobody saw it healthy');
    assert.equal(findLastKnownGood(listing)?.source, 'deploy-record');
  } finally {
    t.remove();
  }
});
