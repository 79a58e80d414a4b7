// Resume Rollback on a fleet journal (issue 15, item 5): the fleet's state said first (which
// host is on which release, the host × step grid), then the operator's choice — continue the
// rollout (every host not finished), roll the failed hosts forward again (only the failed and
// unknown ones), or stop here. Finished hosts are never in the run.
import type { PlanStep } from '../core/plan/types';
import type { RollbackJournal } from '../core/run/journalTypes';
import { fleetRecord, gridFromJournal, timelineMarkdown } from '../core/fleet/fleetJournal';
import { gridMarkdown } from '../core/fleet/gridMarkdown';
import { fleetStateText, resumeLimit, type ResumeChoice } from '../core/fleet/resume';
import type { FleetRunResult } from '../core/fleet/fleetRunner';
import { resumeFleet, type FleetFlowDeps } from './fleetRun';
import type { RollbackSessions } from './sessions';
import type { FlowUi, Prompter } from './ui';

export const CONTINUE_ROLLOUT = 'Continue the rollout';
export const RETRY_FAILED = 'Roll the failed hosts forward again';
export const STOP_HERE = 'Stop here';

/** A front end that can offer the three choices at once (a quick pick); without it they are asked one by one. */
export interface FleetResumeChooser {
  chooseFleetResume(title: string, choices: Array<{ label: string; detail: string }>): Promise<string | undefined>;
}

export function isFleetJournal(journal: RollbackJournal): boolean {
  return fleetRecord(journal) !== undefined;
}

export interface FleetResumeOutcome {
  journal: RollbackJournal;
  fleetResult?: FleetRunResult;
  stoppedBecause?: string;
}

/** The resume preview's fleet part: the state in words, the grid, each host's timeline. */
export function fleetResumeMarkdown(journal: RollbackJournal): { state: string; markdown: string; hostSteps: PlanStep[] } {
  const rec = fleetRecord(journal)!;
  const grid = gridFromJournal(journal)!;
  const plan = journal.plan;
  const code = plan.steps.find((s) => s.kind === 'code' && s.id.startsWith('code-'))?.id;
  const state = fleetStateText(grid, code, plan.from.name, plan.to.name) || `nothing ran on ${grid.hosts.join(', ')}`;
  const hostSteps = plan.steps.filter((s) => rec.steps.some((g) => g.id === s.id));
  const markdown = ['## The fleet now', '', state, '', ...gridMarkdown(grid), '', '### Each host', '', ...timelineMarkdown(grid), ''].join('\n');
  return { state, markdown, hostSteps };
}

async function choose(prompter: Prompter, title: string, choices: Array<{ label: string; detail: string; choice?: ResumeChoice }>): Promise<ResumeChoice | undefined> {
  const chooser = prompter as Partial<FleetResumeChooser>;
  if (typeof chooser.chooseFleetResume === 'function') {
    const picked = await chooser.chooseFleetResume(title, choices.map(({ label, detail }) => ({ label, detail })));
    return choices.find((c) => c.label === picked)?.choice;
  }
  for (const c of choices) {
    if (!c.choice) return undefined;
    if (await prompter.confirm(`${title} ${c.label}?`, c.detail, c.label)) return c.choice;
  }
  return undefined;
}

export async function resumeFleetFlow(sessions: RollbackSessions, ui: FlowUi, journal: RollbackJournal, origin: string[], fleet: FleetFlowDeps | undefined): Promise<FleetResumeOutcome> {
  const { prompter, presenter } = ui;
  const plan = journal.plan;
  const { state, hostSteps } = fleetResumeMarkdown(journal);
  if (!fleet) {
    await presenter.error(`Run ${journal.runId} is a fleet rollout of ${plan.environment} (${state}); resuming a fleet needs Ansible, which this command was not given (nothing ran).`);
    return { journal, stoppedBecause: 'fleet resume not available here' };
  }
  const problem = await fleet.ansible().unavailable();
  if (problem) {
    await presenter.error(`Nothing ran: ${problem}`);
    return { journal, stoppedBecause: 'ansible unavailable' };
  }
  const grid = gridFromJournal(journal)!;
  const all = resumeLimit(grid, hostSteps, 'continue');
  const failed = resumeLimit(grid, hostSteps, 'retry-failed');
  const names = (l: typeof all) => l.hosts.map((h) => h.host).join(', ');
  const left = all.finished.length ? ` Finished and never touched again: ${all.finished.join(', ')}.` : '';
  const choices: Array<{ label: string; detail: string; choice?: ResumeChoice }> = [];
  if (all.hosts.length) choices.push({ label: CONTINUE_ROLLOUT, detail: `Runs on ${names(all)}, in batches as planned; only the steps each has not finished.${left}`, choice: 'continue' });
  if (failed.hosts.length && failed.hosts.length < all.hosts.length) choices.push({ label: RETRY_FAILED, detail: `Runs only on ${names(failed)} (failed or unknown), not on the hosts the rollout has not reached.${left}`, choice: 'retry-failed' });
  choices.push({ label: STOP_HERE, detail: `Nothing runs; the fleet stays as it is: ${state}.` });
  const foreign = origin.length ? ` It was not started here (${origin.join('; ')}): make sure that run is really dead.` : '';
  const choice = all.hosts.length ? await choose(prompter, `Rollout of ${plan.environment} to ${plan.to.name}: ${state}.${foreign}`, choices) : undefined;
  if (!choice) {
    presenter.info(`Nothing ran. The fleet stays as it is: ${state}.`);
    return { journal, stoppedBecause: all.hosts.length ? 'stopped here' : 'every host finished' };
  }
  const result = await resumeFleet(sessions, ui, journal, choice, fleet);
  return { journal, ...(result ? { fleetResult: result } : {}) };
}
