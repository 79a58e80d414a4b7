// A step's local command outlives the window that started it (its own process group). After
// a crash, resume must find it still running and never start a second copy beside it.
// Real processes, real process groups, real journal files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import type { Prompter } from '../../../src/core/run/ports';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { NodeLocalProcesses, processStartTicks } from '../../../src/infra/shell/localProcesses';

const work = mkdtempSync(join(tmpdir(), 'rp-leftover-'));
const processes = new NodeLocalProcesses();
const started: number[] = [];
after(async () => {
  for (const pg of started) if (await processes.isRunning(pg)) process.kill(-pg, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** Waits (at most ~10 s) for `gate` in `dir`, then appends `word` to order.log. */
const gated = (word: string): string => `i=0; until [ -e gate ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done; echo ${word} >> order.log`;

function caseDir(name: string): string {
  return mkdtempSync(join(work, `${name}-`));
}

function plan(id: string, cwd: string, command: string): RollbackPlan {
  const build: PlanStep = { id: 'build-api', kind: 'build', service: 'api', title: 'Build api', why: 'x', commands: [{ command, where: 'local', cwd }], destructive: false };
  return {
    id, environment: 'staging', where: 'local', strategy: 'revert', cwd,
    from: { name: 'v2.0.0', sha: 'b'.repeat(40) }, to: { name: 'v1.9.0', sha: 'a'.repeat(40) },
    targetSource: 'previous-tag', reason: 'login fails', affectedServices: ['api'], createdAt: '2026-11-22T09:00:00.000Z', createdBy: 'tester', steps: [build],
  };
}

function engine(cwd: string, answer: 'wait' | 'terminate' | 'stop', asked: string[], onAsked: () => void = () => {}): RollbackRunner {
  const prompter: Prompter = {
    chooseOnFailure: () => Promise.resolve({ action: 'stop' }),
    confirmStep: () => Promise.resolve('run'),
    typeEnvironmentName: (env) => Promise.resolve(env),
    commandStillRunning: (step, running) => {
      asked.push(`${step.id}: ${running.command}`);
      onAsked();
      return Promise.resolve(answer);
    },
    // Its exit status died with the run and the step has no check: the operator is asked, and says "run it again".
    unknownOutcome: (step) => {
      asked.push(`unknown outcome: ${step.id}`);
      return Promise.resolve('run-again');
    },
  };
  return new RollbackRunner({ runnerFor: () => new LocalCommandRunner({ cwd }), journals: new FileJournalStore(join(cwd, 'journals')), prompter, http: new NodeHttp(), operator: 'dana@laptop', processes });
}

/** What a crash mid-step leaves: the step's command still running in its own process group, the journal saying "running". */
function crashedMidStep(cwd: string, id: string, leftoverCommand: string, rerunCommand: string): { journal: RollbackJournal; processGroup: number } {
  const child = spawn('/bin/sh', ['-c', leftoverCommand], { cwd, detached: true, stdio: 'ignore' });
  child.unref();
  started.push(child.pid!);
  const p = plan(id, cwd, rerunCommand);
  const journal: RollbackJournal = {
    version: 1, runId: id, plan: p, operator: 'dana@laptop', decidedAt: '2026-11-22T09:00:00.000Z', startedAt: '2026-11-22T09:00:01.000Z', status: 'running',
    steps: [{ stepId: 'build-api', outcome: 'running', attempts: 1, startedAt: '2026-11-22T09:00:02.000Z', process: { processGroup: child.pid!, command: leftoverCommand } }],
    events: [],
  };
  return { journal, processGroup: child.pid! };
}

const order = (cwd: string): string[] => (existsSync(join(cwd, 'order.log')) ? readFileSync(join(cwd, 'order.log'), 'utf8').trim().split('\n') : []);

test('while a step runs, the journal names its process group; when it ends, the entry is gone', async () => {
  const cwd = caseDir('live');
  const r = engine(cwd, 'wait', []);
  const store = new FileJournalStore(join(cwd, 'journals'));
  const running = r.run(plan('live', cwd, gated('built')));
  let seen: RollbackJournal['steps'][number]['process'];
  for (let i = 0; i < 100 && !seen; i++) {
    seen = (await store.load('live').catch(() => undefined))?.steps[0].process;
    if (!seen) await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(seen, 'the journal on disk names the running command');
  assert.equal(seen.command, gated('built'));
  assert.match(seen.startTicks ?? '', /^\d+$/, 'the leader\'s start time is recorded (Linux)');
  assert.equal(seen.startTicks, processStartTicks(seen.processGroup));
  assert.equal(await processes.isRunning(seen.processGroup), true);
  writeFileSync(join(cwd, 'gate'), '');
  const result = await running;
  assert.equal(result.success, true, result.state);
  assert.equal(result.journal.steps[0].process, undefined);
  assert.equal((await store.load('live'))!.steps[0].process, undefined);
  assert.equal(await processes.isRunning(seen.processGroup), false);
});

test('resume waits for the command left running by the crash, then asks and runs the step again: never two at once', async () => {
  const cwd = caseDir('wait');
  const { journal, processGroup } = crashedMidStep(cwd, 'wait', gated('leftover'), 'echo rerun >> order.log');
  const asked: string[] = [];
  // The leftover finishes a little after the operator chose to wait.
  const result = await engine(cwd, 'wait', asked, () => setTimeout(() => writeFileSync(join(cwd, 'gate'), ''), 300)).resume(journal);
  assert.equal(result.success, true, result.state);
  assert.deepEqual(asked, [`build-api: ${gated('leftover')}`, 'unknown outcome: build-api'], 'its exit status was lost: not run again without asking');
  assert.deepEqual(order(cwd), ['leftover', 'rerun'], 'the step ran again only after the leftover ended');
  assert.equal(result.journal.events.find((e) => e.kind === 'unknown-outcome-answered')?.data?.by, 'dana@laptop');
  assert.equal(await processes.isRunning(processGroup), false);
  const kinds = result.journal.events.map((e) => e.kind);
  assert.ok(kinds.indexOf('leftover-waited') < kinds.indexOf('leftover-ended'), kinds.join(', '));
  assert.match(result.journal.events.find((e) => e.kind === 'leftover-ended')!.message, /exit status was lost/);
  assert.equal(result.journal.steps[0].attempts, 2);
  assert.equal(result.journal.steps[0].process, undefined);
});

test('"stop it" ends the leftover process group before the step runs again', async () => {
  const cwd = caseDir('terminate');
  const { journal, processGroup } = crashedMidStep(cwd, 'terminate', 'sleep 30; echo leftover >> order.log', 'echo rerun >> order.log');
  const result = await engine(cwd, 'terminate', []).resume(journal);
  assert.equal(result.success, true, result.state);
  assert.equal(await processes.isRunning(processGroup), false);
  assert.deepEqual(order(cwd), ['rerun']);
  assert.match(result.journal.events.find((e) => e.kind === 'leftover-terminated')!.message, /stopped by dana@laptop/);
});

test('"stop the rollback" runs nothing and leaves the leftover alone; the journal says why', async () => {
  const cwd = caseDir('stop');
  const { journal, processGroup } = crashedMidStep(cwd, 'stop', 'sleep 30', 'echo rerun >> order.log');
  const result = await engine(cwd, 'stop', []).resume(journal);
  assert.equal(result.success, false);
  assert.equal(result.journal.status, 'stopped');
  assert.match(result.state, /still running/);
  assert.deepEqual(order(cwd), []);
  assert.equal(await processes.isRunning(processGroup), true, 'not ours to kill without being asked');
  assert.ok(result.journal.steps[0].process, 'a later resume still knows about it');
  process.kill(-processGroup, 'SIGKILL');
});

test('a leftover that already ended is not asked about as running; its outcome is, before the step runs again', async () => {
  const cwd = caseDir('ended');
  const { journal, processGroup } = crashedMidStep(cwd, 'ended', 'true', 'echo rerun >> order.log');
  for (let i = 0; i < 100 && await processes.isRunning(processGroup); i++) await new Promise((res) => setTimeout(res, 20));
  const asked: string[] = [];
  const result = await engine(cwd, 'stop', asked).resume(journal);
  assert.equal(result.success, true, result.state);
  assert.deepEqual(asked, ['unknown outcome: build-api']);
  assert.deepEqual(order(cwd), ['rerun']);
});

test('a recorded pid that now belongs to a process started at another time is neither waited for nor stopped', async () => {
  const cwd = caseDir('reused');
  // A live process group that is not the command the journal names: same pid, another start time.
  const { journal, processGroup } = crashedMidStep(cwd, 'reused', 'sleep 30', 'echo rerun >> order.log');
  const real = processStartTicks(processGroup)!;
  journal.steps[0].process!.startTicks = String(Number(real) - 1);
  const asked: string[] = [];
  const result = await engine(cwd, 'terminate', asked).resume(journal);
  assert.equal(result.success, true, result.state);
  assert.deepEqual(asked, ['unknown outcome: build-api'], 'not asked about a process that is not the command; asked about the step\'s outcome');
  assert.deepEqual(order(cwd), ['rerun']);
  assert.equal(await processes.isRunning(processGroup), true, 'the unrelated process was not signalled');
  assert.equal(await processes.isRunning(processGroup, real), true);
  process.kill(-processGroup, 'SIGKILL');
});
