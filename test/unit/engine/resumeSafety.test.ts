// What a resume does with a step the interrupted run left "running" or "unknown", what a
// failed journal write (a full disk) leaves and says, and the two ways to cancel. Real
// /bin/sh commands, real journal files; each command appends its step id to a log so the
// test counts how often it ran.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PlanCommand, PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { JournalWriteError } from '../../../src/core/run/journalWrites';
import type { JournalStore } from '../../../src/core/run/ports';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { ScriptedPrompter, tempDir } from './helpers';

const tmp = tempDir('resume-safety');
after(() => tmp.cleanup());
let cases = 0;

function caseDir(): string {
  const dir = join(tmp.dir, `case-${++cases}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const ran = (dir: string): string[] => (existsSync(join(dir, 'ran.log')) ? readFileSync(join(dir, 'ran.log'), 'utf8').split('\n').filter(Boolean) : []);

function step(dir: string, id: string, extra: Partial<PlanStep> & { check?: string; command?: string } = {}): PlanStep {
  const { check, command, ...rest } = extra;
  const at = (c: string): PlanCommand => ({ command: c, where: 'local', cwd: dir });
  return { id, kind: 'build', title: `Step ${id}`, why: 'test', commands: [at(`${command ? `${command} && ` : ''}echo ${id} >> ran.log`)], destructive: false, ...(check ? { alreadyDone: at(check) } : {}), ...rest };
}

function plan(dir: string, id: string, steps: PlanStep[]): RollbackPlan {
  return {
    id, environment: 'staging', where: 'local', strategy: 'revert', cwd: dir,
    from: { name: 'v2', sha: 'b'.repeat(40) }, to: { name: 'v1', sha: 'a'.repeat(40) },
    targetSource: 'previous-tag', reason: 'test', affectedServices: [], createdAt: '2026-12-01T09:00:00.000Z', createdBy: 'dana', steps,
  };
}

/** The journal a crash leaves: steps before `at` done, step `at` recorded running (started, never finished). */
function interrupted(p: RollbackPlan, at: number, outcome: 'running' | 'unknown' = 'running'): RollbackJournal {
  return {
    version: 1, runId: p.id, plan: p, operator: 'dana@laptop', machine: 'laptop', decidedAt: '2026-12-01T09:00:00.000Z', startedAt: '2026-12-01T09:00:01.000Z', status: 'running', events: [],
    steps: p.steps.map((s, i) => ({ stepId: s.id, outcome: i < at ? 'ok' : i === at ? outcome : 'pending', attempts: i <= at ? 1 : 0, ...(i === at ? { startedAt: '2026-12-01T09:00:02.000Z', outputTail: '$ make\nbuilding…\n' } : {}) })),
  };
}

function engine(dir: string, prompter = new ScriptedPrompter(), journals: JournalStore = new FileJournalStore(join(dir, 'journals'))): RollbackRunner {
  return new RollbackRunner({ runnerFor: () => new LocalCommandRunner({ cwd: dir }), journals, prompter, http: new NodeHttp(), operator: 'erin@desk', machine: 'desk' });
}

test('a running step whose check says its effect is absent runs again, without a question', async () => {
  const dir = caseDir();
  const p = plan(dir, 'absent', [step(dir, 'a'), step(dir, 'b', { check: 'test -e b.done', command: 'touch b.done' }), step(dir, 'c')]);
  const prompter = new ScriptedPrompter();
  const r = await engine(dir, prompter).resume(interrupted(p, 1));
  assert.equal(r.success, true, r.state);
  assert.deepEqual(ran(dir), ['b', 'c']);
  assert.deepEqual(prompter.unknownAsked, []);
  assert.ok(r.journal.events.some((e) => e.kind === 'resume-checked' && /effect is not there/.test(e.message)));
});

test('a running step whose check says its effect is there is recorded done and not run again', async () => {
  const dir = caseDir();
  writeFileSync(join(dir, 'b.done'), '');
  const p = plan(dir, 'present', [step(dir, 'a'), step(dir, 'b', { check: 'test -e b.done', command: 'touch b.done' }), step(dir, 'c')]);
  const prompter = new ScriptedPrompter();
  const r = await engine(dir, prompter).resume(interrupted(p, 1));
  assert.equal(r.success, true, r.state);
  assert.deepEqual(ran(dir), ['c']);
  assert.deepEqual(prompter.unknownAsked, []);
  assert.match(r.journal.steps[1].detail ?? '', /already there \(checked on resume\)/);
});

test('a running step with no check is never run again silently: the operator is asked, with what ran since when and its output, and the answer is recorded with who gave it', async () => {
  const dir = caseDir();
  const p = plan(dir, 'nocheck', [step(dir, 'a'), step(dir, 'b'), step(dir, 'c')]);
  const prompter = new ScriptedPrompter();
  prompter.unknownAnswer = 'mark-done';
  const r = await engine(dir, prompter).resume(interrupted(p, 1));
  assert.equal(r.success, true, r.state);
  assert.deepEqual(ran(dir), ['c'], 'b was not run again: the operator said it took effect');
  assert.equal(prompter.unknownAsked.length, 1);
  const { step: asked, info } = prompter.unknownAsked[0];
  assert.equal(asked.id, 'b');
  assert.equal(info.outcome, 'running');
  assert.equal(info.startedAt, '2026-12-01T09:00:02.000Z');
  assert.match(info.outputTail ?? '', /building…/);
  assert.deepEqual(info.commands, [`local$ echo b >> ran.log`]);
  assert.match(info.whyNotChecked, /no check/);
  const answered = r.journal.events.find((e) => e.kind === 'unknown-outcome-answered');
  assert.deepEqual({ by: answered?.data?.by, answer: answered?.data?.answer, stepId: answered?.data?.stepId }, { by: 'erin@desk', answer: 'mark-done', stepId: 'b' });
  assert.match(r.journal.steps[1].detail ?? '', /recorded as done by erin@desk on resume/);
});

test('a check that cannot tell (command not found, exit 127) does not count as "not done": the operator is asked', async () => {
  const dir = caseDir();
  const p = plan(dir, 'cannot-tell', [step(dir, 'a', { check: 'no-such-checker --is-done' })]);
  const prompter = new ScriptedPrompter();
  const r = await engine(dir, prompter).resume(interrupted(p, 0, 'unknown'));
  assert.equal(r.success, true, r.state);
  assert.equal(prompter.unknownAsked.length, 1);
  assert.match(prompter.unknownAsked[0].info.whyNotChecked, /its check could not tell \(exit code 127.*only exit 1 means "not done"/);
  assert.deepEqual(ran(dir), ['a'], 'run again because the operator said so');
});

test('"stop" leaves the step unknown on disk, runs nothing, and says why; with no one to ask the run stops the same way', async () => {
  const dir = caseDir();
  const p = plan(dir, 'stop', [step(dir, 'a'), step(dir, 'b')]);
  const prompter = new ScriptedPrompter();
  prompter.unknownAnswer = 'stop';
  const r = await engine(dir, prompter).resume(interrupted(p, 0));
  assert.equal(r.success, false);
  assert.deepEqual(ran(dir), []);
  assert.match(r.state, /Stopped before "Step a": its outcome is unknown and you chose to stop/);
  const onDisk = (await new FileJournalStore(join(dir, 'journals')).load('stop'))!;
  assert.equal(onDisk.steps[0].outcome, 'unknown');
  assert.match(onDisk.steps[0].detail ?? '', /interrupted while this step ran; whether it took effect is not known/);

  // A front end that cannot ask (no unknownOutcome): nothing is re-run on a guess.
  const silent = { chooseOnFailure: () => Promise.resolve({ action: 'stop' as const }), confirmStep: () => Promise.resolve('run' as const), typeEnvironmentName: (env: string) => Promise.resolve(env) };
  const dir2 = caseDir();
  const p2 = plan(dir2, 'no-one', [step(dir2, 'a')]);
  const r2 = await new RollbackRunner({ runnerFor: () => new LocalCommandRunner({ cwd: dir2 }), journals: new FileJournalStore(join(dir2, 'journals')), prompter: silent, http: new NodeHttp(), operator: 'erin@desk' }).resume(interrupted(p2, 0));
  assert.equal(r2.success, false);
  assert.deepEqual(ran(dir2), []);
  assert.match(r2.state, /nobody here can be asked whether to run it again/);
});

test('a step that only observes (a wait) runs again without a question', async () => {
  const dir = caseDir();
  const wait: PlanStep = { id: 'warm', kind: 'wait', title: 'Warm-up', why: 'test', commands: [], destructive: false, waitMs: 5 };
  const p = plan(dir, 'observe', [step(dir, 'a'), wait, step(dir, 'c')]);
  const prompter = new ScriptedPrompter();
  const r = await engine(dir, prompter).resume(interrupted(p, 1));
  assert.equal(r.success, true, r.state);
  assert.deepEqual(prompter.unknownAsked, []);
  assert.deepEqual(ran(dir), ['c']);
});

test('the migration tool\'s status check only reads: an interrupted one runs again without a question', async () => {
  const dir = caseDir();
  const status: PlanStep = { ...step(dir, 'status', { command: 'echo "d21b (head)"' }), kind: 'database', toolStatus: { tool: 'alembic', command: 'alembic current', timeoutMs: 5000, expect: ['d21b'] } };
  const p = plan(dir, 'status-rerun', [step(dir, 'a'), status, step(dir, 'c')]);
  const prompter = new ScriptedPrompter();
  const r = await engine(dir, prompter).resume(interrupted(p, 1));
  assert.equal(r.success, true, r.state);
  assert.deepEqual(prompter.unknownAsked, []);
  assert.deepEqual(ran(dir), ['status', 'c']);
});

/** A FileJournalStore whose disk fills up at save number `failAt` (a mock stands in for a full disk: no tmpfs can be mounted without root). */
function fullDiskAt(dir: string, failAt: number): JournalStore & { saves: number } {
  const inner = new FileJournalStore(join(dir, 'journals'));
  const store = {
    saves: 0,
    async save(j: RollbackJournal) {
      if (++store.saves >= failAt) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${join(dir, 'journals', `${j.runId}.json`)}.tmp'`), { code: 'ENOSPC' });
      return inner.save(j);
    },
    load: (id: string) => inner.load(id),
    list: () => inner.list(),
    problems: () => inner.problems(),
  };
  return store;
}

test('disk full (mock store) when a finished step is saved: the run stops at once, nothing after it starts, and the message says what the journal on disk holds', async () => {
  const dir = caseDir();
  const p = plan(dir, 'enospc-finish', [step(dir, 'a'), step(dir, 'b'), step(dir, 'c')]);
  // Saves: 1 run started, 2 a running, 3 a's process, 4 a ok, 5 b running, 6 b's process, 7 b ok ← fails.
  const r = await engine(dir, new ScriptedPrompter(), fullDiskAt(dir, 7)).run(p);
  assert.equal(r.success, false);
  assert.deepEqual(ran(dir), ['a', 'b'], 'c never started without a durable journal');
  assert.match(r.state, /could not be written \(ENOSPC: no space left on device/);
  assert.match(r.state, /"Step b" was running and ended ok, but that outcome is not recorded/);
  assert.match(r.state, /The journal file on disk holds the last save that succeeded \([^)]*status running\): 1 of 3 steps done, "Step b" recorded as running/);
  assert.doesNotMatch(r.state, /every finished step/);
  const onDisk = (await new FileJournalStore(join(dir, 'journals')).load('enospc-finish'))!;
  assert.deepEqual(onDisk.steps.map((s) => s.outcome), ['ok', 'running', 'pending'], 'exactly what the message says');
});

test('disk full (mock store) when a step is about to start: it does not start, and the message says so', async () => {
  const dir = caseDir();
  const p = plan(dir, 'enospc-start', [step(dir, 'a'), step(dir, 'b')]);
  const r = await engine(dir, new ScriptedPrompter(), fullDiskAt(dir, 5)).run(p);
  assert.equal(r.success, false);
  assert.deepEqual(ran(dir), ['a']);
  assert.match(r.state, /"Step b" did not start: its start could not be recorded/);
  assert.match(r.state, /1 of 2 steps done\./);
});

test('disk full (mock store) before the first save: nothing runs, and the error says there is no journal', async () => {
  const dir = caseDir();
  const p = plan(dir, 'enospc-first', [step(dir, 'a')]);
  await assert.rejects(engine(dir, new ScriptedPrompter(), fullDiskAt(dir, 1)).run(p), (e: Error) => e instanceof JournalWriteError && /No save of this run reached the disk/.test(e.message));
  assert.deepEqual(ran(dir), []);
});

test('"stop after this step" lets the running command finish and starts nothing after it; "stop now" kills it and leaves its outcome unknown', async () => {
  const gate = 'i=0; until [ -e gate ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done';
  for (const how of ['after-step', 'now'] as const) {
    const dir = caseDir();
    const p = plan(dir, `cancel-${how}`, [step(dir, 'a', { command: gate }), step(dir, 'b')]);
    const signal = new AbortController();
    const stopAfterStep = new AbortController();
    const running = engine(dir).run(p, { signal: signal.signal, stopAfterStep: stopAfterStep.signal });
    for (let i = 0; i < 100 && !existsSync(join(dir, 'journals', `${p.id}.json`)); i++) await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 200));
    (how === 'now' ? signal : stopAfterStep).abort();
    writeFileSync(join(dir, 'gate'), '');
    const r = await running;
    assert.equal(r.success, false);
    if (how === 'after-step') {
      assert.deepEqual(ran(dir), ['a'], 'a finished; b never started');
      assert.equal(r.journal.steps[0].outcome, 'ok');
      assert.match(r.state, /Cancelled before "Step b" \(stopped after the running step finished; nothing was killed\)/);
    } else {
      assert.deepEqual(ran(dir), [], 'a was killed part way');
      assert.equal(r.journal.steps[0].outcome, 'unknown');
      assert.match(r.state, /cancelled while the command ran; it was killed part way/);
    }
    assert.equal(r.journal.steps[1].outcome, 'pending');
  }
});

test('a run records the machine it started on', async () => {
  const dir = caseDir();
  const r = await engine(dir).run(plan(dir, 'machine', [step(dir, 'a')]));
  assert.equal((await new FileJournalStore(join(dir, 'journals')).load('machine'))?.machine, 'desk');
  assert.equal(r.journal.machine, 'desk');
});

test('"stop after this step" and the step fails: no retry question, nothing after it starts', async () => {
  const dir = caseDir();
  const p = plan(dir, 'cancel-fails', [step(dir, 'a', { command: 'i=0; until [ -e gate ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done; false' }), step(dir, 'b')]);
  const stopAfterStep = new AbortController();
  const prompter = new ScriptedPrompter([{ action: 'retry' }]);
  const running = engine(dir, prompter).run(p, { stopAfterStep: stopAfterStep.signal });
  // Asked while step a runs (its journal says so), not before it starts: under load the first save comes well before the step.
  const aRunning = (): boolean => {
    try {
      return (JSON.parse(readFileSync(join(dir, 'journals', `${p.id}.json`), 'utf8')) as RollbackJournal).steps[0]?.outcome === 'running';
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 500 && !aRunning(); i++) await new Promise((res) => setTimeout(res, 20));
  stopAfterStep.abort();
  writeFileSync(join(dir, 'gate'), '');
  const r = await running;
  assert.equal(r.success, false);
  assert.deepEqual(prompter.failures, [], 'the operator already said to stop: not asked to retry');
  assert.deepEqual(ran(dir), []);
  assert.match(r.state, /Stopped after "Step a" failed \(exit code 1\)/);
  assert.equal(r.journal.steps[1].outcome, 'pending');
});
