// Runs a fleet rollout (or resumes one) for either front end: the FleetRunner over one
// connection per host for the whole run (ssh2, the product's known_hosts), every host × step
// change said as it happens — in the progress ("web-02: Health check api ok (batch 2)"), and
// as the run's events, so the run terminal and the checklist follow a fleet as they follow a
// single host — and at the end the fleet's state in words.
import type { CommandRunner } from '../core/ports';
import type { PlanStep, RollbackPlan } from '../core/plan/types';
import type { RollbackJournal } from '../core/run/journalTypes';
import type { AnsiblePort } from '../core/fleet/ports';
import { FleetRunner, type FleetRunInput, type FleetRunResult } from '../core/fleet/fleetRunner';
import type { FleetGrid, GridChange } from '../core/fleet/grid';
import type { ResumeChoice } from '../core/fleet/resume';
import { operatorName } from './operator';
import type { RollbackSessions } from './sessions';
import type { FlowUi } from './ui';

export interface FleetFlowDeps {
  /** The Ansible a fleet runs on, made when asked (the SSH settings in force then: known_hosts, ssh config). */
  ansible(): AnsiblePort;
  /** Whether an interrupted run's ansible-playbook process group is still there (a resume waits for none). */
  isProcessGroupAlive?: (processGroup: number) => boolean;
  /** After a fleet run: what each host runs now is read again (the Releases view's fleet line). */
  afterRun?: (environment: string) => void;
}

export interface FleetOutcome {
  plan?: RollbackPlan;
  fleetResult?: FleetRunResult;
  stoppedBecause?: string;
}

/** One runner per destination, shared by everything asked through it until dispose. */
export interface SharedRunners {
  runnerFor(where: string): CommandRunner;
  dispose(): Promise<void>;
}

/** One connection per destination for the run (the runner asks for one per lock, preflight, step), all closed at the end. */
export function sharedRunners(sessions: RollbackSessions): SharedRunners {
  const made = new Map<string, CommandRunner>();
  return {
    runnerFor: (where) => {
      let r = made.get(where);
      if (!r) {
        r = sessions.runnerFor(where);
        made.set(where, r);
      }
      return r;
    },
    dispose: async () => {
      await Promise.all([...made.values()].map((r) => r.dispose().catch(() => undefined)));
      made.clear();
    },
  };
}

/** "web-02: Health check api ok (batch 2)" — what the progress and the terminal say of one change. */
export function changeLine(c: GridChange, steps: readonly PlanStep[]): string {
  const title = steps.find((s) => s.id === c.step)?.title ?? c.step;
  return `${c.host}: ${title} ${c.cell.outcome}${c.batch ? ` (batch ${c.batch})` : ''}${c.cell.detail && c.cell.outcome !== 'ok' ? ` — ${c.cell.detail}` : ''}`;
}

const FINAL = new Set(['ok', 'failed', 'skipped', 'unknown']);

type Go = (runner: FleetRunner, signal: AbortSignal) => Promise<FleetRunResult>;

async function withProgress(sessions: RollbackSessions, ui: FlowUi, plan: RollbackPlan, title: string, fleet: FleetFlowDeps, resuming: boolean, go: Go): Promise<FleetRunResult | undefined> {
  const runners = sharedRunners(sessions);
  const abort = new AbortController();
  const events = sessions.events;
  let running: string | undefined;
  const stop = {
    running: () => running,
    // Ansible is told to stop (SIGINT to its process group): the tasks running now end as Ansible ends them, nothing after them starts.
    afterStep: () => abort.abort(),
    now: () => abort.abort(),
  };
  try {
    return await ui.presenter.progress(title, async (report) => {
      // The checklist opens the run's journal on run-started: said once the journal is on disk (a resume's already is).
      const started = (): void => events.emit({ type: 'run-started', runId: plan.id, plan, at: Date.now() });
      if (resuming) started();
      let total = 1;
      const runner = new FleetRunner({
        runnerFor: (d) => runners.runnerFor(d),
        ansible: fleet.ansible(),
        journals: sessions.journals,
        prompter: ui.prompter,
        operator: operatorName(),
        isProcessGroupAlive: fleet.isProcessGroupAlive,
        secret: (name) => sessions.checkSecret(name),
        onChange: (c: GridChange, grid: FleetGrid) => {
          total = Math.max(1, grid.hosts.length * grid.steps.length);
          const line = sessions.redact(changeLine(c, plan.steps));
          if (c.cell.outcome === 'running') running = line;
          report(line, FINAL.has(c.cell.outcome) ? 100 / total : 0);
          events.emit({ type: 'step-output', runId: plan.id, stepId: c.step, chunk: `${line}\n`, stream: 'stdout' });
        },
        onJournalSaved: () => started(),
        onOutput: (chunk) => events.emit({ type: 'step-output', runId: plan.id, stepId: 'ansible', chunk: sessions.redact(chunk), stream: 'stdout' }),
      });
      const result = await go(runner, abort.signal);
      events.emit({ type: 'run-finished', runId: plan.id, success: result.success, at: Date.now(), state: sessions.redact(result.state) });
      return result;
    }, stop);
  } catch (e) {
    await ui.presenter.error(`The fleet rollout stopped on an error: ${(e as Error).message}. The journal .rollback/journals/${plan.id}.json holds what each host did; Resume Rollback continues from there.`);
    return undefined;
  } finally {
    await runners.dispose();
    fleet.afterRun?.(plan.environment);
  }
}

async function sayOutcome(ui: FlowUi, plan: RollbackPlan, result: FleetRunResult | undefined, sessions: RollbackSessions): Promise<void> {
  if (!result) return;
  // As for a single host: the deploy of the target is recorded and the release left is marked bad, so the next Revert Last Deploy cannot pick it.
  if (result.success) await sessions.recordOutcome(result).catch((e) => ui.presenter.warn(`Could not record the rollback in the release records: ${(e as Error).message}`));
  const hosts = result.grid.hosts.length;
  if (result.success) ui.presenter.info(sessions.redact(`Rolled back ${plan.environment} to ${plan.to.name} on all ${hosts} hosts.`));
  else await ui.presenter.runDidNotFinish(sessions.redact(`Rollback of ${plan.environment} did not finish: ${result.state}${result.failures.length ? `. ${result.failures.join('. ')}` : ''}`), plan.id);
}

export async function runFleet(sessions: RollbackSessions, ui: FlowUi, input: FleetRunInput, fleet: FleetFlowDeps): Promise<FleetOutcome> {
  const { plan } = input;
  const result = await withProgress(sessions, ui, plan, `Rolling back ${plan.environment} to ${plan.to.name} (${input.fleet.hosts.length} hosts)`, fleet, false, (runner, signal) => runner.run({ ...input, signal }));
  await sayOutcome(ui, plan, result, sessions);
  return { plan, fleetResult: result };
}

export async function resumeFleet(sessions: RollbackSessions, ui: FlowUi, journal: RollbackJournal, choice: ResumeChoice, fleet: FleetFlowDeps): Promise<FleetRunResult | undefined> {
  const plan = journal.plan;
  const result = await withProgress(sessions, ui, plan, `Resuming the rollout of ${plan.environment}`, fleet, true, (runner, signal) => runner.resume(journal, choice, signal));
  await sayOutcome(ui, plan, result, sessions);
  return result;
}
