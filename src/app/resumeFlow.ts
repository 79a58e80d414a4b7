import * as path from 'node:path';
import { foreignOrigin, renderResumeMarkdown, resumeListing, trackedByGit, type RollbackJournal, type RunResult, type UnreadableJournal } from '../core/run';
import { machineName, operatorName } from './operator';
import { runWithProgress, type AfterRun } from './runWithProgress';
import type { RollbackSessions } from './sessions';
import type { FlowUi } from './ui';
import type { FleetRunResult } from '../core/fleet/fleetRunner';
import type { FleetFlowDeps } from './fleetRun';
import { fleetResumeMarkdown, isFleetJournal, resumeFleetFlow } from './fleetResume';

export const OPEN_FILE = 'Open the file';

/**
 * Why this journal is not the record of a run started in this checkout by this operator on
 * this machine (empty when it is). The git check asks whether the journal file is tracked: a
 * journal that came with a clone or a pull is someone else's run.
 */
export async function journalOrigin(sessions: RollbackSessions, journal: RollbackJournal): Promise<string[]> {
  const rel = `.rollback/journals/${journal.runId}.json`;
  const tracked = await trackedByGit(sessions.runnerFor('local'), sessions.root.fsPath, rel);
  return foreignOrigin(journal, { operator: operatorName(), machine: machineName(), trackedAs: tracked ? rel : undefined });
}

export function unreadableLines(root: string, unreadable: UnreadableJournal[]): string {
  return unreadable.map((u) => `${path.relative(root, u.file) || u.file}: ${u.reason}`).join('; ');
}

export interface ResumeOutcome {
  journal?: RollbackJournal;
  result?: RunResult;
  /** A fleet's resume: the grid and the fleet's state besides the journal. */
  fleetResult?: FleetRunResult;
  /** Why nothing ran, when nothing did. */
  stoppedBecause?: string;
}

/**
 * Resume Rollback: continues an interrupted run from its journal; finished steps are not run
 * again. The steps left are shown before any question, and a run that was not started here
 * (another operator, machine, or a journal that came with a pull) needs an explicit "Resume anyway".
 * A single host's resume tells `afterRun` when it ends, as a run does.
 */
export async function resumeFlow(sessions: RollbackSessions, ui: FlowUi, runId?: string, fleet?: FleetFlowDeps, afterRun?: AfterRun): Promise<ResumeOutcome> {
  const { prompter, presenter } = ui;
  const root = sessions.root.fsPath;
  const { runs, unreadable } = await resumeListing(sessions.journals);
  if (runs.length === 0) {
    if (unreadable.length) {
      const open = await presenter.error(`No rollback can be resumed, and ${unreadable.length} journal file(s) cannot be read: ${unreadableLines(root, unreadable)}. Look at the file: a run it recorded may have stopped part way.`, OPEN_FILE);
      if (open) await presenter.openFile(unreadable[0].file);
      return { stoppedBecause: 'unreadable journals' };
    }
    presenter.info('No interrupted rollback to resume: every journaled run finished or was abandoned.');
    return { stoppedBecause: 'nothing to resume' };
  }
  // Shown, never dropped: a torn or empty journal may be the record of a run that stopped part way.
  if (unreadable.length) presenter.warn(`${unreadable.length} journal file(s) in .rollback/journals cannot be read and cannot be resumed: ${unreadableLines(root, unreadable)}`);
  let journal = typeof runId === 'string' ? runs.find((r) => r.runId === runId) : undefined;
  if (!journal) {
    const picked = runs.length === 1 && unreadable.length === 0 ? { journal: runs[0] } : await presenter.pickRun(runs, unreadable);
    if (picked && 'unreadable' in picked) {
      await presenter.openFile(picked.unreadable.file);
      return { stoppedBecause: 'opened an unreadable journal' };
    }
    journal = picked?.journal;
  }
  if (!journal) return { stoppedBecause: 'no run chosen' };
  const j = journal;
  const origin = await journalOrigin(sessions, j);
  // What is about to run, before any question: the steps left, as the rollback preview shows them.
  if (isFleetJournal(j)) {
    // A fleet: its state and grid first; the choices say which hosts each would run on.
    await presenter.showPreview({ text: sessions.redact(`${renderResumeMarkdown(j, origin).trimEnd()}\n\n${fleetResumeMarkdown(j).markdown}`) });
    if (origin.length && !(await prompter.confirm(`This rollout of ${j.plan.environment} to ${j.plan.to.name} was not started here. Resume it anyway?`, `Run ${j.runId}: ${origin.join('; ')}. Make sure that run is really dead and that its steps are still what ${j.plan.environment} needs.`, 'Resume anyway'))) {
      presenter.info('Nothing ran. The resume preview stays open for reference.');
      return { journal: j, stoppedBecause: 'not confirmed' };
    }
    const out = await resumeFleetFlow(sessions, ui, j, origin, fleet);
    const r = out.fleetResult;
    return { journal: j, ...(r ? { fleetResult: r, result: { success: r.success, journal: r.journal, state: r.state } } : {}), ...(out.stoppedBecause ? { stoppedBecause: out.stoppedBecause } : {}) };
  }
  await presenter.showPreview({ text: sessions.redact(renderResumeMarkdown(j, origin)) });
  const done = j.steps.filter((s) => s.outcome === 'ok' || s.outcome === 'skipped').length;
  const unknown = j.steps.filter((s) => s.outcome === 'unknown' || s.outcome === 'running').map((s) => s.stepId);
  const steps = `${done} of ${j.steps.length} steps are done and will not run again; ${j.steps.length - done} are left (the preview shows them).${unknown.length ? ` Steps with an unknown outcome (${unknown.join(', ')}) are checked first; one that cannot be checked is not run again without asking you.` : ''}`;
  const ok = origin.length
    ? await prompter.confirm(
        `This rollback of ${j.plan.environment} to ${j.plan.to.name} was not started here. Resume it anyway?`,
        `Run ${j.runId}: ${origin.join('; ')}. Resuming runs its remaining steps on ${j.plan.where} from this machine. Make sure that run is really dead and that its steps are still what ${j.plan.environment} needs.\n\n${steps}`,
        'Resume anyway',
      )
    : await prompter.confirm(`Resume the rollback of ${j.plan.environment} to ${j.plan.to.name}?`, steps, 'Resume');
  if (!ok) {
    presenter.info('Nothing ran. The resume preview stays open for reference.');
    return { journal: j, stoppedBecause: 'not confirmed' };
  }
  const result = await runWithProgress(sessions, j.plan, `Resuming the rollback of ${j.plan.environment}`, (s) => s.resume(j), presenter, afterRun);
  return { journal: j, result };
}
