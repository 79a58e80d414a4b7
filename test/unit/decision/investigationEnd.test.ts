// How the brief investigation ends decides what is asked next: "Time's up: roll back now" in the
// checklist is the decision (the roll back / forward / investigate question is not asked again,
// the decision's time is when it was chosen), "Decide now" asks the question again, and the
// investigation lasts rollback.yml's decision.investigateFor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideWithTree } from '../../../src/app/decision';
import type { Decision } from '../../../src/app/ui';
import type { WorkspaceModel } from '../../../src/app/workspaceModel';
import type { RollbackConfig } from '../../../src/core/config/types';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { RecordingPresenter } from '../app/harness';

class Decisions extends ScriptedDialogs {
  constructor(private readonly decisions: Decision[]) {
    super();
  }
  override async decide(): Promise<Decision> {
    this.asked.push('decide');
    return this.decisions.shift() ?? 'roll-forward';
  }
}

class Investigations extends RecordingPresenter {
  readonly lengths: number[] = [];
  constructor(dialogs: ScriptedDialogs, private readonly ends: Array<'decide' | 'roll-back'>, private readonly clock: { t: number }) {
    super(dialogs);
  }
  async investigate(lengthMs: number): Promise<'decide' | 'roll-back'> {
    this.lengths.push(lengthMs);
    this.clock.t += 7_000;
    return this.ends.shift() ?? 'decide';
  }
}

/** The decision without its record (the record's own test: decisionRecord.test.ts). */
const withoutRecord = (d: object): object => Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'record'));

const workspace = (investigateMs?: number): WorkspaceModel =>
  ({
    config: async () => ({ config: { environments: [{ configFiles: [] }], ...(investigateMs ? { decision: { investigateMs } } : {}) } as unknown as RollbackConfig }),
    migrations: async () => [],
  }) as unknown as WorkspaceModel;

void test('"Time\'s up: roll back now" is the decision: not asked again, decided when chosen', async () => {
  const clock = { t: Date.parse('2026-12-02T03:00:00Z') };
  const dialogs = new Decisions(['investigate']);
  const presenter = new Investigations(dialogs, ['roll-back'], clock);
  const d = await decideWithTree({ prompter: dialogs, presenter }, { workspace: workspace(8_000), cause: 'code', now: () => clock.t });
  assert.deepEqual(withoutRecord(d), { decidedAt: '2026-12-02T03:00:07.000Z', cause: 'code' });
  assert.deepEqual(dialogs.asked, ['decide'], 'the question came once, before the investigation');
  assert.deepEqual(presenter.lengths, [8_000], 'the configured limit');
});

void test('"Decide now" (or the page closed at zero) asks again; a second investigation can end in the rollback', async () => {
  const clock = { t: Date.parse('2026-12-02T03:00:00Z') };
  const dialogs = new Decisions(['investigate', 'investigate']);
  const presenter = new Investigations(dialogs, ['decide', 'roll-back'], clock);
  const d = await decideWithTree({ prompter: dialogs, presenter }, { workspace: workspace(), cause: 'code', now: () => clock.t });
  assert.deepEqual(withoutRecord(d), { decidedAt: '2026-12-02T03:00:14.000Z', cause: 'code' });
  assert.deepEqual(dialogs.asked, ['decide', 'decide']);
  assert.deepEqual(presenter.lengths, [300_000, 300_000], 'the default limit: 5 minutes');

  const forward = new Decisions(['investigate', 'roll-forward']);
  const f = await decideWithTree({ prompter: forward, presenter: new Investigations(forward, ['decide'], clock) }, { workspace: workspace(), now: () => clock.t });
  assert.deepEqual(f, { stoppedBecause: 'roll forward chosen' });
});
