// The decision tree through the application layer's flow, as both front ends drive it: a
// brief investigation (its timer shown, then the question again), then "the configuration",
// then "restore": the config file comes back and the service is recreated, with no code step.
// Real git, real sh, the real service; the operator is the integration suite's scripted
// dialogs plus the three new answers, the presenter records what it was asked to show.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decideWithTree } from '../../../src/app/decision';
import { runRollbackFlow } from '../../../src/app/rollbackFlow';
import type { Decision } from '../../../src/app/ui';
import type { Cause, CauseChoice, ConfigRemedy } from '../../../src/core/decision/tree';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { freePort, git, healthOf, tempDir } from '../engine/helpers';
import { appServices, RecordingPresenter } from '../app/harness';
import { makeConfigRepo, stopConfigRepo } from './configRepo';

class TreeDialogs extends ScriptedDialogs {
  readonly causesOffered: CauseChoice[][] = [];
  constructor(private readonly decisions: Decision[], private readonly cause: Cause | undefined, private readonly remedy?: ConfigRemedy) {
    super({ reason: 'v1.1.0 set GREETING=broken' });
  }
  override async decide(): Promise<Decision> {
    this.asked.push('decide');
    return this.decisions.shift() ?? 'roll-back';
  }
  async chooseCause(choices: CauseChoice[]): Promise<Cause | undefined> {
    this.asked.push('cause');
    this.causesOffered.push(choices);
    return this.cause;
  }
  async chooseConfigRemedy(hasConfigFiles: boolean): Promise<ConfigRemedy | undefined> {
    this.asked.push(`remedy:${hasConfigFiles}`);
    return this.remedy;
  }
}

class TimingPresenter extends RecordingPresenter {
  readonly investigations: Array<{ lengthMs: number; startedAt: number }> = [];
  async investigate(lengthMs: number, startedAt: number): Promise<'decide'> {
    this.investigations.push({ lengthMs, startedAt });
    return 'decide';
  }
}

describe('decision tree through the flow (real git, real sh, real service)', { timeout: 120_000 }, () => {
  const tmp = tempDir('decision-flow');
  const repo = join(tmp.dir, 'shop');
  let port: number;
  let tags: Record<string, string>;
  before(async () => {
    port = await freePort();
    tags = makeConfigRepo(repo, port);
  });
  after(() => {
    stopConfigRepo(repo);
    tmp.cleanup();
  });

  test('investigate, then the configuration, restored: the config comes back, the code stays', async () => {
    const dialogs = new TreeDialogs(['investigate', 'roll-back'], 'configuration', 'restore');
    const s = appServices(repo, () => dialogs);
    const presenter = new TimingPresenter(dialogs);
    const pidBefore = JSON.parse((await healthOf(`http://127.0.0.1:${port}/health`)).body).pid as number;
    const outcome = await runRollbackFlow(s.flow, { prompter: dialogs, presenter }, { pickTarget: false });
    assert.ok(outcome.result?.success, `${outcome.stoppedBecause ?? outcome.result?.state}; errors: ${dialogs.errors.join(' | ')}`);
    assert.deepEqual(dialogs.asked.slice(0, 5), ['decide', 'decide', 'cause', 'remedy:true', 'reason']);
    assert.deepEqual(presenter.investigations.map((i) => i.lengthMs), [120_000], 'the timer ran for decision.investigateFor (2m)');
    assert.deepEqual(dialogs.causesOffered[0].map((c) => c.cause), ['code', 'database', 'configuration', 'unknown']);
    const plan = outcome.plan!;
    assert.deepEqual(plan.scope, { kind: 'config', remedy: 'restore' });
    assert.deepEqual([plan.from.name, plan.to.name], ['v1.1.0', 'v1.0.0']);
    assert.ok(!plan.steps.some((st) => st.kind === 'code' || st.kind === 'build'), plan.steps.map((st) => st.id).join(', '));
    assert.match(presenter.previews[0], /^# Rollback of local: v1\.1\.0 → v1\.0\.0\n/);
    assert.match(presenter.previews[0], /- \*\*Scope\*\*: the configuration only/);
    const h = JSON.parse((await healthOf(`http://127.0.0.1:${port}/health`)).body) as { version: string; greeting: string; pid: number };
    assert.deepEqual([h.version, h.greeting], ['1.1.0', 'hello']);
    assert.notEqual(h.pid, pidBefore);
    assert.equal(git(repo, 'rev-parse', 'HEAD'), tags['v1.1.0']);
    assert.equal(readFileSync(join(repo, 'config/app.env'), 'utf8'), 'GREETING=hello\n');
    s.dispose();
  });

  test('the decision step alone: without a timer it stops and says so; the cause given is not asked; no cause question means the code', async () => {
    const dialogs = new TreeDialogs(['investigate'], 'code');
    const s = appServices(repo, () => dialogs);
    const plain = new RecordingPresenter(dialogs);
    assert.deepEqual(await decideWithTree({ prompter: dialogs, presenter: plain }, { workspace: s.workspace }), { stoppedBecause: 'investigating' });
    assert.match(dialogs.infos.at(-1)!, /^Brief investigation: come back within 5 minutes/);

    const again = new TreeDialogs(Array(20).fill('investigate'), 'code');
    const timed = new TimingPresenter(again);
    assert.deepEqual(await decideWithTree({ prompter: again, presenter: timed }, { workspace: s.workspace }), { stoppedBecause: 'investigation without a decision' });
    assert.equal(timed.investigations.length, 12, 'bounded: an hour of investigations at most');

    const given = new TreeDialogs([], 'unknown');
    const d = await decideWithTree({ prompter: given, presenter: new TimingPresenter(given) }, { workspace: s.workspace, cause: 'code', now: () => Date.parse('2026-12-02T03:00:00Z') });
    assert.ok('record' in d, JSON.stringify(d));
    assert.deepEqual([d.decidedAt, d.cause, d.record.causeGiven], ['2026-12-02T03:00:00.000Z', 'code', true], 'the record (decisionRecord.test.ts) says the cause was given');
    assert.deepEqual(given.asked, ['decide']);

    const scripted = new ScriptedDialogs();
    assert.equal(((await decideWithTree({ prompter: scripted, presenter: new RecordingPresenter(scripted) }, { workspace: s.workspace })) as { cause: Cause }).cause, 'code');
    s.dispose();
  });
});
