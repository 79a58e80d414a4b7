// The product's own steps after every batch (issue 15, follow-up item 2): the migration tool's
// status check (core/database/toolStatus.ts) runs once, on the fleet's db host, in its tree,
// when every host has finished — the database is shared, so one host answers for the fleet,
// and asking it before the last batch would judge a tree some hosts have not reached yet.
// Judged exactly as a single host's (judgeToolStatus); its result lands in the plan step's
// journal entry, which the checklist and the post-mortem's Migrations section read.
import { judgeToolStatus } from '../database/toolStatus';
import type { CommandRunner } from '../ports';
import type { PlanStep } from '../plan/types';
import type { JournalStep, RollbackJournal } from '../run/journalTypes';

/** The steps after the host steps the product runs itself: the tool's status check (the all-clear is the checklist's). */
export function productAfterSteps(after: readonly PlanStep[]): PlanStep[] {
  return after.filter((s) => s.toolStatus !== undefined && s.commands.length > 0);
}

export interface AfterStepRun {
  outcome: 'ok' | 'failed';
  detail: string;
  output: string;
}

const TAIL = 4096;

/** Runs the status check on the product's own connection to the db host; the listing (golang-migrate, goose) only after a clean status. */
export async function runAfterStep(step: PlanStep, runnerFor: (where: string) => CommandRunner, defaultTimeoutMs: number | undefined): Promise<AfterStepRun> {
  let output = '';
  const results = [];
  for (const c of step.commands) {
    output += `$ ${c.command}\n`;
    const r = await runnerFor(c.where).run(c.command, { cwd: c.cwd, input: c.input, timeoutMs: c.timeoutMs ?? defaultTimeoutMs });
    output += r.stdout + r.stderr;
    results.push(r);
    if (r.code !== 0 || r.lost || r.timedOut) break;
  }
  const [status, listing] = results;
  const where = step.commands[0].where;
  const spec = step.toolStatus!;
  if (listing && (listing.code !== 0 || listing.lost)) {
    return { outcome: 'failed', detail: `could not list ${spec.versionDir} on ${where}: ${(listing.stderr || listing.stdout).trim().split('\n').pop() ?? `exit ${listing.code}`}`, output: output.slice(-TAIL) };
  }
  const verdict = judgeToolStatus(spec, { code: status.code, timedOut: status.timedOut, lost: status.lost, output: status.stdout + status.stderr }, where, listing?.stdout);
  return { outcome: verdict.ok ? 'ok' : 'failed', detail: verdict.detail, output: output.slice(-TAIL) };
}

/** Whether the check still has to run (a resume runs it again when it failed: it only reads). */
export function afterStepPending(js: JournalStep | undefined): boolean {
  return !js || (js.outcome !== 'ok' && js.outcome !== 'skipped');
}

export interface AfterStepsDeps {
  runnerFor(where: string): CommandRunner;
  iso(): string;
  save(): Promise<void>;
  event(kind: string, message: string, data?: Record<string, unknown>): void;
  onOutput?: (chunk: string) => void;
}

/** Runs the checks still pending, in order, into their journal steps; the first failure, in words, stops them. */
export async function runAfterSteps(journal: RollbackJournal, after: readonly PlanStep[], deps: AfterStepsDeps): Promise<string | undefined> {
  for (const step of productAfterSteps(after)) {
    const js = journal.steps.find((s) => s.stepId === step.id);
    if (!js || !afterStepPending(js)) continue;
    const where = step.commands[0].where;
    Object.assign(js, { startedAt: deps.iso(), attempts: js.attempts + 1, outcome: 'running' });
    const r = await runAfterStep(step, deps.runnerFor, journal.plan.commandTimeoutMs).catch((e: Error): AfterStepRun => ({ outcome: 'failed', detail: `could not ask ${where}: ${e.message}`, output: '' }));
    Object.assign(js, { outcome: r.outcome, detail: r.detail, outputTail: r.output, finishedAt: deps.iso() });
    deps.event('fleet-after-step', `${step.title} on ${where}: ${r.outcome} — ${r.detail}`, { step: step.id, outcome: r.outcome });
    deps.onOutput?.(`${where}: ${step.title}: ${r.outcome} — ${r.detail}\n`);
    await deps.save();
    if (r.outcome === 'failed') return `every host is on ${journal.plan.to.name}, but ${step.title} failed on ${where}: ${r.detail}`;
  }
  return undefined;
}
