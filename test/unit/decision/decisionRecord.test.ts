// The decision as the journal records it (issue 13.5): when the question was asked, the
// triggers shown with it and on the investigation's page, each investigation with how it
// ended (time's up, early, cancelled), and the decision with its cause. Then the whole flow
// in plain Node (real git, real sh, the real service, the journal files): a run after an
// investigation has it in its journal file and in the post-mortem rendered from that file.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decideWithTree } from '../../../src/app/decision';
import { runRollbackFlow } from '../../../src/app/rollbackFlow';
import type { Decision } from '../../../src/app/ui';
import type { WorkspaceModel } from '../../../src/app/workspaceModel';
import type { RollbackConfig } from '../../../src/core/config/types';
import type { InvestigationPageInfo } from '../../../src/core/decision/page';
import { readDecisionRecord, type DecisionRecord } from '../../../src/core/decision/record';
import type { Cause, ConfigRemedy } from '../../../src/core/decision/tree';
import { renderPostmortem } from '../../../src/core/postmortem';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { parseJournal } from '../../../src/infra/files/fileJournalStore';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { appServices, RecordingPresenter } from '../app/harness';
import { freePort, tempDir } from '../engine/helpers';
import { makeConfigRepo, stopConfigRepo } from './configRepo';

class Decisions extends ScriptedDialogs {
  constructor(private readonly decisions: Decision[], private readonly cause?: Cause, private readonly remedy?: ConfigRemedy) {
    super({ reason: 'v1.1.0 set GREETING=broken' });
  }
  override async decide(triggers?: Promise<string[]>): Promise<Decision> {
    this.asked.push('decide');
    // As the quick pick does: what has arrived within a moment is shown.
    await triggers;
    return this.decisions.shift() ?? 'roll-back';
  }
  async chooseCause(): Promise<Cause | undefined> {
    this.asked.push('cause');
    return this.cause;
  }
  async chooseConfigRemedy(): Promise<ConfigRemedy | undefined> {
    return this.remedy;
  }
}

/** Each investigation takes `tookMs` on the test's clock and ends as scripted; what its page was given is kept. */
class Investigations extends RecordingPresenter {
  readonly pages: Array<{ triggers?: string[]; logs?: string[] }> = [];
  constructor(dialogs: ScriptedDialogs, private readonly ends: Array<{ end: 'decide' | 'roll-back' | 'cancelled'; tookMs: number }>, private readonly clock: { t: number }) {
    super(dialogs);
  }
  /** Real time the investigation takes (the flow keeps its own clock). */
  waitMs = 0;
  async investigate(_lengthMs: number, _startedAt: number, page?: InvestigationPageInfo): Promise<'decide' | 'roll-back' | 'cancelled'> {
    this.pages.push({ triggers: await page?.triggers, logs: (await page?.logs)?.map((w) => w.service) });
    if (this.waitMs) await new Promise((r) => setTimeout(r, this.waitMs));
    const { end, tookMs } = this.ends.shift() ?? { end: 'decide', tookMs: 0 };
    this.clock.t += tookMs;
    return end;
  }
}

const workspace = (investigateMs: number): WorkspaceModel =>
  ({ config: async () => ({ config: { environments: [{ configFiles: [] }], services: [], decision: { investigateMs } } as unknown as RollbackConfig }), migrations: async () => [] }) as unknown as WorkspaceModel;

const SPIKE = 'api: 47 errors in the last 5 minutes, 3 in the hour before';

void test('asked at 03:12 with a spike, investigated to time\'s up, rolled back from the page: the record says each of it', async () => {
  const clock = { t: Date.parse('2026-12-02T03:12:00Z') };
  const dialogs = new Decisions(['investigate']);
  const presenter = new Investigations(dialogs, [{ end: 'roll-back', tookMs: 300_000 }], clock);
  const d = await decideWithTree({ prompter: dialogs, presenter }, { workspace: workspace(300_000), cause: 'code', triggers: async () => [SPIKE], logs: async () => [], now: () => clock.t });
  assert.ok('record' in d, JSON.stringify(d));
  assert.deepEqual(d.record, {
    asked: [{ at: '2026-12-02T03:12:00.000Z', triggers: [SPIKE] }],
    investigations: [{ startedAt: '2026-12-02T03:12:00.000Z', lengthMs: 300_000, endedAt: '2026-12-02T03:17:00.000Z', ended: 'rolled-back', timeUp: true, triggers: [SPIKE] }],
    decidedAt: '2026-12-02T03:17:00.000Z',
    cause: 'code',
    causeGiven: true,
  } satisfies DecisionRecord);
  assert.equal(d.decidedAt, d.record.decidedAt, 'the journal\'s decidedAt and the record\'s are one time');
  assert.deepEqual(presenter.pages, [{ triggers: [SPIKE], logs: [] }], 'the page was given the triggers again');
});

void test('"Decide now" after 2 minutes asks again (ended early), then the configuration is chosen; a cancelled investigation is said as such', async () => {
  const clock = { t: Date.parse('2026-12-02T03:00:00Z') };
  const dialogs = new Decisions(['investigate', 'roll-back'], 'configuration', 'restart');
  const presenter = new Investigations(dialogs, [{ end: 'decide', tookMs: 120_000 }], clock);
  const d = await decideWithTree({ prompter: dialogs, presenter }, { workspace: workspace(300_000), triggers: async () => [], logs: async () => [], now: () => clock.t });
  assert.ok('record' in d, JSON.stringify(d));
  assert.deepEqual(d.record.asked.map((a) => a.at), ['2026-12-02T03:00:00.000Z', '2026-12-02T03:02:00.000Z']);
  assert.deepEqual(d.record.investigations.map((i) => [i.ended, i.timeUp, i.endedAt]), [['asked-again', false, '2026-12-02T03:02:00.000Z']]);
  assert.deepEqual([d.record.cause, d.record.remedy, d.record.causeGiven], ['configuration', 'restart', undefined]);

  const gaveUp = new Decisions(['investigate']);
  const stopped = await decideWithTree({ prompter: gaveUp, presenter: new Investigations(gaveUp, [{ end: 'cancelled', tookMs: 1_000 }], clock) }, { workspace: workspace(300_000), now: () => clock.t });
  assert.deepEqual(stopped, { stoppedBecause: 'investigation cancelled' }, 'nothing is planned, so no journal is written');
});

void test('read back from a journal: an old journal has none; a hand-edited one keeps only what is a decision', () => {
  assert.equal(readDecisionRecord(undefined), undefined);
  assert.equal(readDecisionRecord({ decidedAt: 'yesterday', cause: 'code' }), undefined);
  assert.equal(readDecisionRecord({ decidedAt: '2026-12-02T03:00:00Z', cause: 'gremlins' }), undefined);
  const r = readDecisionRecord({
    decidedAt: '2026-12-02T03:00:00Z',
    cause: 'code',
    remedy: 'restore',
    asked: [{ at: '2026-12-02T02:59:00Z', triggers: ['a', 7] }, { at: 'never' }, 'x'],
    investigations: [{ startedAt: '2026-12-02T02:59:00Z', endedAt: '2026-12-02T03:00:00Z', lengthMs: -1, ended: 'rolled-back' }, { startedAt: '2026-12-02T02:59:00Z', endedAt: '2026-12-02T03:00:00Z', lengthMs: 60_000, ended: 'asked-again' }],
  });
  assert.deepEqual(r, { asked: [{ at: '2026-12-02T02:59:00Z', triggers: ['a'] }], investigations: [{ startedAt: '2026-12-02T02:59:00Z', lengthMs: 60_000, endedAt: '2026-12-02T03:00:00Z', ended: 'asked-again', timeUp: false }], decidedAt: '2026-12-02T03:00:00Z', cause: 'code' });
  // The journal reader takes a journal without the field as before.
  const old = parseJournal(readFileSync(join(__dirname, '../../fixtures/journals/v1-succeeded.json'), 'utf8'), 'v1-succeeded.json');
  assert.equal(old.decision, undefined);
});

describe('a run after an investigation (real git, real sh, the real service, the journal files)', { timeout: 120_000 }, () => {
  const tmp = tempDir('decision-record');
  const repo = join(tmp.dir, 'shop');
  before(async () => {
    makeConfigRepo(repo, await freePort());
    // The operator's rollback.yml (not committed): a one-second investigation.
    const yml = join(repo, 'rollback.yml');
    writeFileSync(yml, readFileSync(yml, 'utf8').replace('investigateFor: 2m', 'investigateFor: 1s'));
  });
  after(() => {
    stopConfigRepo(repo);
    tmp.cleanup();
  });

  test('investigated to time\'s up, then the configuration restored: the journal file and its post-mortem have the investigation', async () => {
    const dialogs = new Decisions(['investigate'], 'configuration', 'restore');
    const s = appServices(repo, () => dialogs);
    // The page's "Time's up: roll back now", pressed once the second is over.
    const presenter = new Investigations(dialogs, [{ end: 'roll-back', tookMs: 0 }], { t: 0 });
    presenter.waitMs = 1_200;
    const outcome = await runRollbackFlow(s.flow, { prompter: dialogs, presenter }, { pickTarget: false });
    assert.ok(outcome.result?.success, `${outcome.stoppedBecause ?? outcome.result?.state}; errors: ${dialogs.errors.join(' | ')}`);
    const file = join(repo, '.rollback/journals', `${outcome.plan!.id}.json`);
    const journal: RollbackJournal = parseJournal(readFileSync(file, 'utf8'), file);
    const d = journal.decision;
    assert.ok(d, 'the journal file has the decision');
    assert.equal(d.decidedAt, journal.decidedAt);
    assert.deepEqual(d.investigations.map((i) => [i.ended, i.timeUp, i.lengthMs, i.triggers]), [['rolled-back', true, 1_000, []]], 'no service has logs: here, so no trigger');
    assert.equal(d.asked.length, 1);
    assert.deepEqual([d.cause, d.remedy], ['configuration', 'restore']);
    const pm = renderPostmortem(journal);
    const hhmmss = (iso: string) => iso.slice(11, 19);
    const i = d.investigations[0]!;
    assert.match(pm, new RegExp(`^\\| ${hhmmss(d.asked[0]!.at)} \\| Decision asked: roll back, roll forward or investigate first \\|$`, 'm'));
    assert.match(pm, new RegExp(`^\\| ${hhmmss(i.startedAt)} \\| Brief investigation started \\(1 s\\) \\|$`, 'm'));
    assert.match(pm, new RegExp(`^\\| ${hhmmss(i.endedAt)} \\| Time's up: rolled back \\|$`, 'm'));
    assert.match(pm, new RegExp(`^\\| ${hhmmss(d.decidedAt)} \\| Decided: roll back — cause configuration \\(restore\\) \\|$`, 'm'));
    assert.match(pm, /^- \*\*Decision:\*\* roll back after 1 brief investigation \(the last ran to time's up\); cause configuration \(restore\)$/m);
    s.dispose();
  });
});
