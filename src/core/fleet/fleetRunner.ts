// Runs a fleet rollout (issue 15). The product does what must happen once or everywhere before
// anything changes: every host's key verified and reached, the lock taken on every host (all
// or none), every host's preflight, the database steps once on the db host. Then Ansible runs
// the host steps in batches, and every host × step event it reports lands in the journal as it
// happens. A resume runs only the hosts (and on them the steps) that have not finished.
import type { Clock, CommandRunner } from '../ports';
import type { PlanStep, RollbackPlan } from '../plan/types';
import type { JournalStep, RollbackJournal } from '../run/journalTypes';
import type { DecisionRecord } from '../decision/record';
import type { JournalStore, Prompter } from '../run/ports';
import { acquireLock, LockHeldError, releaseLock } from '../run/lock';
import { realClock } from '../run/realClock';
import { runAfterSteps } from './afterSteps';
import type { AnsibleEvent } from './events';
import { fleetHealthHeaders } from './healthHeaders';
import { withHealthVerdict } from './healthVerdict';
import { fleetRollout, type FleetRollout } from './fleetPlan';
import { ANSIBLE_STARTED, changeEvent, FLEET_PLANNED, fleetRecord, gridFromJournal, stepOutcome, type FleetRecord } from './fleetJournal';
import { FleetGrid, gridSteps, type GridChange } from './grid';
import { fleetFailures, fleetStateText, resumeLimit, type ResumeChoice } from './resume';
import type { AnsiblePort } from './ports';
import type { FleetHost } from './types';

export interface FleetRunnerDeps {
  /** The product's own connection to one host (ssh2: verifies the host key on connect, against the same known_hosts Ansible gets). */
  runnerFor(destination: string): CommandRunner;
  ansible: AnsiblePort;
  journals: JournalStore;
  prompter: Prompter;
  operator: string;
  clock?: Clock;
  /** Each grid change and Ansible's own output, live (terminal, checklist, progress). */
  onChange?: (change: GridChange, grid: FleetGrid) => void;
  onOutput?: (chunk: string) => void;
  /** The run's journal is on disk (its first save): the checklist and the terminal may open it now. */
  onJournalSaved?: (journal: RollbackJournal) => void;
  /** Whether the ansible-playbook process group of an interrupted run is still there (a resume waits for none). */
  isProcessGroupAlive?: (processGroup: number) => boolean;
  /** A health header's `secret:NAME`, read as the rollout starts; the product's redactor must know the value before this returns. */
  secret?: (name: string) => Promise<string | undefined>;
}

export interface FleetRunInput {
  plan: RollbackPlan;
  fleet: FleetRollout;
  /** Each host's own preflight step (the planner's, for that host's destination and path). */
  preflights: Record<string, PlanStep>;
  /** Aborted: ansible-playbook is interrupted (SIGINT to its process group); what it had not done stays not started. */
  signal?: AbortSignal;
  /** When and how the operator decided to roll back (default: at the run's start, unrecorded), journaled as a single host's run journals them. */
  decidedAt?: string;
  decision?: DecisionRecord;
}

export interface FleetRunResult {
  success: boolean;
  journal: RollbackJournal;
  grid: FleetGrid;
  /** Which hosts are on which release now, in words. */
  state: string;
  /** Why each failed host stopped: "web-02: health api: $.version is "1.3.0", expected "1.2.0" (HTTP 200 after 3 attempts)". */
  failures: string[];
}

const CONNECT_TIMEOUT_MS = 20_000;

export class FleetRunner {
  private readonly clock: Clock;
  private saving: Promise<void> = Promise.resolve();
  private queued = false;
  /** The first journal write that failed: the result says so (the journal on disk is behind). */
  private saveError?: string;
  /** The check after the batches failed (the hosts are rolled back; the tool is not fine). */
  private afterFailure?: string;

  constructor(private readonly deps: FleetRunnerDeps) {
    this.clock = deps.clock ?? realClock;
  }

  async run(input: FleetRunInput): Promise<FleetRunResult> {
    const { plan, fleet } = input;
    const now = this.iso();
    const journal: RollbackJournal = {
      version: 1, runId: plan.id, plan, operator: this.deps.operator, decidedAt: input.decidedAt ?? now, ...(input.decision ? { decision: input.decision } : {}), startedAt: now, status: 'running',
      steps: plan.steps.map((s): JournalStep => ({ stepId: s.id, outcome: 'pending', attempts: 0 })), events: [],
    };
    const record: FleetRecord = { hosts: fleet.hosts, rollout: fleet.rollout, group: fleet.group, userInventory: fleet.userInventory, steps: gridSteps(fleet.hostSteps), batches: fleet.batches };
    this.event(journal, FLEET_PLANNED, `Fleet of ${fleet.hosts.length} hosts in batches ${fleet.batches.map((b) => `[${b.join(', ')}]`).join(' ')}`, record as unknown as Record<string, unknown>);
    await this.save(journal);
    this.deps.onJournalSaved?.(journal);
    const grid = new FleetGrid(fleet.hosts.map((h) => h.name), record.steps);

    const headers = await this.headers(journal, fleet.hostSteps);
    if (headers === false) return this.finish(journal, grid, fleet.hosts, []);
    const ready = await this.prepareHosts(journal, fleet.hosts, plan);
    if (!ready) return this.finish(journal, grid, fleet.hosts, []);
    const locked = fleet.hosts;
    if (!(await this.preflight(journal, input))) return this.finish(journal, grid, locked, locked);
    if (!(await this.productSteps(journal, fleet.before))) return this.finish(journal, grid, locked, locked);
    await this.ansible(journal, grid, fleet, undefined, input.signal, headers);
    await this.afterHosts(journal, grid, fleet.after, input.signal);
    return this.finish(journal, grid, locked, locked);
  }

  /** Continues an interrupted or stopped rollout on the hosts that have not finished. */
  async resume(journal: RollbackJournal, choice: ResumeChoice, signal?: AbortSignal): Promise<FleetRunResult> {
    const rec = fleetRecord(journal);
    const grid = gridFromJournal(journal);
    if (!rec || !grid) throw new Error(`run ${journal.runId} is not a fleet rollout (its journal has no ${FLEET_PLANNED} record)`);
    const started = journal.events.filter((e) => e.kind === ANSIBLE_STARTED).pop();
    const pg = started?.data?.processGroup;
    if (typeof pg === 'number' && this.deps.isProcessGroupAlive?.(pg)) {
      throw new Error(`the ansible-playbook of run ${journal.runId} (process group ${pg}) is still running on this machine: wait for it to end, or stop it, before resuming`);
    }
    // A crash left these running: nobody saw their end.
    for (const c of grid.settleRunning('the run was interrupted while this step ran: whether it took effect is unknown')) this.record(journal, grid, c);
    const plan = journal.plan;
    const hostSteps = plan.steps.filter((s) => rec.steps.some((g) => g.id === s.id));
    const limit = resumeLimit(grid, hostSteps, choice);
    journal.status = 'running';
    this.event(journal, 'fleet-resume', `Resume (${choice}): ${limit.hosts.map((h) => h.host).join(', ') || 'no host'}; finished and left alone: ${limit.finished.join(', ') || 'none'}`);
    const resumeMap: Record<string, { skip: string[]; check: string[] }> = {};
    for (const h of limit.hosts) {
      for (const stepId of h.unchecked) {
        const step = plan.steps.find((s) => s.id === stepId)!;
        const cell = grid.cell(h.host, stepId);
        const answer = this.deps.prompter.unknownOutcome
          ? await this.deps.prompter.unknownOutcome({ ...step, title: `${step.title} on ${h.host}` }, { plan, outcome: 'unknown', commands: step.commands.map((c) => `${h.host}$ ${c.command}`), detail: cell?.detail, outputTail: cell?.output, whyNotChecked: 'the plan has no command that tells whether this step took effect', attempts: 1 })
          : 'stop';
        this.event(journal, 'fleet-unknown-answer', `${h.host} ${stepId}: ${answer} (${this.deps.operator})`, { host: h.host, step: stepId, answer });
        if (answer === 'stop') {
          journal.status = 'stopped';
          return this.finish(journal, grid, [], []);
        }
        if (answer === 'mark-done') h.skip.push(stepId);
      }
      resumeMap[h.host] = { skip: h.skip, check: h.check };
    }
    if (limit.hosts.length === 0) {
      // Every host finished before: what may be left is the check after them (a failed status check, asked again).
      await this.afterHosts(journal, grid, fleetRollout({ plan, hosts: rec.hosts, rollout: rec.rollout }).after, signal);
      return this.finish(journal, grid, [], []);
    }
    const hosts = rec.hosts.filter((h) => resumeMap[h.name]);
    const headers = await this.headers(journal, hostSteps);
    if (headers === false) return this.finish(journal, grid, hosts, []);
    if (!(await this.prepareHosts(journal, hosts, plan))) return this.finish(journal, grid, hosts, []);
    const productDone = journal.steps.filter((s) => s.outcome === 'ok' || s.outcome === 'skipped').map((s) => s.stepId);
    const fleet = fleetRollout({ plan, hosts: rec.hosts, rollout: rec.rollout, userInventory: rec.userInventory ? { path: rec.userInventory, group: rec.group } : undefined, resume: resumeMap });
    if (!(await this.productSteps(journal, fleet.before.filter((s) => !productDone.includes(s.id) && s.id !== 'preflight')))) return this.finish(journal, grid, hosts, hosts);
    await this.ansible(journal, grid, fleet, hosts.map((h) => h.name), signal, headers);
    await this.afterHosts(journal, grid, fleet.after, signal);
    return this.finish(journal, grid, hosts, hosts);
  }

  /** Every host's key and connection, then the lock on every host: all or none. */
  private async prepareHosts(journal: RollbackJournal, hosts: FleetHost[], plan: RollbackPlan): Promise<boolean> {
    const reach = await Promise.all(
      hosts.map(async (h) => {
        try {
          const r = await this.deps.runnerFor(h.destination).run('true', { timeoutMs: CONNECT_TIMEOUT_MS });
          return r.code === 0 ? undefined : `${h.name} (${h.destination}): ${r.lost ? 'the connection was lost' : r.stderr.trim() || `exit ${r.code}`}`;
        } catch (e) {
          return `${h.name} (${h.destination}): ${e instanceof Error ? e.message : String(e)}`;
        }
      }),
    );
    const bad = reach.filter((x): x is string => x !== undefined);
    if (bad.length > 0) {
      this.event(journal, 'fleet-hosts-refused', `Nothing ran anywhere: ${bad.length} of ${hosts.length} hosts could not be verified or reached: ${bad.join('; ')}`);
      journal.status = 'failed';
      return false;
    }
    this.event(journal, 'fleet-hosts-verified', `Host keys verified and connections made: ${hosts.map((h) => h.name).join(', ')}`);
    // Taken on all hosts at once; if any is refused, the ones taken are given back (all or none).
    const since = this.iso();
    const tries = await Promise.all(
      hosts.map(async (h) => {
        try {
          await acquireLock({ runner: this.deps.runnerFor(h.destination), cwd: h.path, environment: plan.environment }, { who: this.deps.operator, since, runId: journal.runId });
          return { h };
        } catch (e) {
          return { h, why: e instanceof LockHeldError ? e.message : `${h.name}: ${(e as Error).message}` };
        }
      }),
    );
    const taken = tries.filter((t) => t.why === undefined).map((t) => t.h);
    const refused = tries.filter((t) => t.why !== undefined).map((t) => t.why!);
    if (refused.length > 0) {
      await this.releaseLocks(journal, taken);
      this.event(journal, 'lock-refused', `No lock taken (all or none): ${refused.join('; ')}`);
      journal.status = 'failed';
      return false;
    }
    this.event(journal, 'lock-acquired', `Lock on ${plan.environment} taken on every host: ${taken.map((h) => h.name).join(', ')}`);
    return true;
  }

  private async preflight(journal: RollbackJournal, input: FleetRunInput): Promise<boolean> {
    const js = journal.steps.find((s) => s.stepId === 'preflight');
    const fails: string[] = [];
    const out: string[] = [];
    if (js) js.startedAt = this.iso();
    await Promise.all(
      input.fleet.hosts.map(async (h) => {
        const step = input.preflights[h.name];
        if (!step) return;
        for (const c of step.commands) {
          const r = await this.deps.runnerFor(h.destination).run(c.command, { cwd: c.cwd, input: c.input, timeoutMs: input.plan.commandTimeoutMs });
          out.push(`${h.name}: ${(r.stdout + r.stderr).trim()}`);
          if (r.code !== 0) {
            fails.push(`${h.name}: ${r.lost ? 'the connection was lost' : (r.stderr.trim() || `exit ${r.code}`).split('\n').slice(-3).join(' ')}`);
            return;
          }
        }
      }),
    );
    if (js) Object.assign(js, { outcome: fails.length ? 'failed' : 'ok', finishedAt: this.iso(), attempts: 1, detail: fails.length ? `preflight failed on ${fails.join('; ')}` : `every host passed (${input.fleet.hosts.length})`, outputTail: out.join('\n').slice(-4096) });
    await this.save(journal);
    if (fails.length) journal.status = 'failed';
    return fails.length === 0;
  }

  /** The product's own steps before the host steps (database steps, once, on their host): in order, each must pass. */
  private async productSteps(journal: RollbackJournal, steps: PlanStep[]): Promise<boolean> {
    for (const step of steps) {
      if (step.id === 'preflight') continue;
      const js = journal.steps.find((s) => s.stepId === step.id)!;
      if (step.commands.length === 0 && step.manual && this.deps.prompter.confirmManual) {
        // Done by hand (a database step with no migrations.sql): asked, never skipped silently.
        const answer = await this.deps.prompter.confirmManual(step, journal.plan);
        if (answer === 'stop') return this.stopped(journal, `${step.id}: the operator stopped the rollout; no host was changed`);
        Object.assign(js, answer === 'done' ? { outcome: 'ok', detail: `done by hand (${this.deps.operator})`, finishedAt: this.iso() } : { outcome: 'skipped', skippedReason: 'skipped by the operator', finishedAt: this.iso() });
        await this.save(journal);
        continue;
      }
      if (step.commands.length === 0) {
        Object.assign(js, { outcome: 'skipped', detail: step.kind === 'notify' ? 'tell the team from the checklist' : 'nothing to run', finishedAt: this.iso() });
        continue;
      }
      if (step.confirmEach || step.manual) {
        const answer = await this.deps.prompter.confirmStep(step, journal.plan);
        if (answer === 'stop') return this.stopped(journal, `${step.id}: the operator stopped the rollout`);
        if (answer === 'skip') {
          Object.assign(js, { outcome: 'skipped', skippedReason: 'skipped by the operator', finishedAt: this.iso() });
          continue;
        }
      }
      if (step.destructive) {
        const typed = await this.deps.prompter.typeEnvironmentName(journal.plan.environment, [step]);
        if (typed !== journal.plan.environment) return this.stopped(journal, `${step.id} is destructive and the environment's name was not typed`);
      }
      js.startedAt = this.iso();
      js.attempts++;
      let output = '';
      let failed: string | undefined;
      for (const c of step.commands) {
        const r = await this.deps.runnerFor(c.where).run(c.command, { cwd: c.cwd, input: c.input, timeoutMs: journal.plan.commandTimeoutMs });
        output += r.stdout + r.stderr;
        if (r.code !== 0) {
          failed = r.lost ? `the connection to ${c.where} was lost` : `exit ${r.code} on ${c.where}`;
          break;
        }
      }
      Object.assign(js, { outcome: failed ? 'failed' : 'ok', finishedAt: this.iso(), detail: failed, outputTail: output.slice(-4096) });
      await this.save(journal);
      if (failed) return this.stopped(journal, `${step.id} failed (${failed}); no host was changed`);
    }
    return true;
  }

  /** The health checks' headers as Ansible's extra vars (secrets read now); false: a secret is missing and nothing ran. */
  private async headers(journal: RollbackJournal, steps: PlanStep[]): Promise<string | undefined | false> {
    const h = await fleetHealthHeaders(steps, journal.plan, this.deps.secret);
    if (h.ok) return h.vars;
    this.event(journal, 'fleet-headers-refused', `Nothing ran anywhere: ${h.why}`);
    journal.status = 'failed';
    return false;
  }

  private async ansible(journal: RollbackJournal, grid: FleetGrid, fleet: FleetRollout, limit: string[] | undefined, signal: AbortSignal | undefined, extraVars?: string): Promise<void> {
    for (const s of fleet.hostSteps) {
      const js = journal.steps.find((x) => x.stepId === s.id);
      if (js && js.outcome === 'pending') js.startedAt = this.iso();
    }
    const forks = Math.max(1, ...fleet.batches.map((b) => b.length));
    const r = await this.deps.ansible.run({
      playbook: fleet.playbook, inventory: fleet.inventory, userInventory: fleet.userInventory, limit, forks, signal, extraVars,
      onStarted: (processGroup) => {
        this.event(journal, ANSIBLE_STARTED, `ansible-playbook started (process group ${processGroup})`, { processGroup });
        void this.save(journal);
      },
      onEvent: (raw: AnsibleEvent) => {
        const e = withHealthVerdict(raw, fleet.hostSteps, journal.plan);
        for (const c of grid.apply(e)) this.record(journal, grid, c);
        if (grid.stopReason && e.event === 'failed') this.event(journal, 'fleet-stopped', grid.stopReason);
      },
      onOutput: this.deps.onOutput,
    });
    for (const c of grid.settleRunning(r.internalError ? 'Ansible failed before this step ended' : 'Ansible ended without a result for this step')) this.record(journal, grid, c);
    if (r.internalError) this.event(journal, 'ansible-error', r.internalError);
    this.event(journal, 'ansible-ended', `ansible-playbook ended (exit ${r.code ?? r.signal}); its files: ${r.dir}`, { code: r.code, signal: r.signal, dir: r.dir, unreadableLines: r.unreadableLines });
    for (const s of fleet.hostSteps) {
      const js = journal.steps.find((x) => x.stepId === s.id);
      if (!js) continue;
      js.outcome = stepOutcome(grid, s.id);
      js.detail = grid.hosts.map((h) => `${h} ${grid.cell(h, s.id)?.outcome}`).join(', ');
      if (js.outcome !== 'pending') js.finishedAt = this.iso();
    }
  }

  /** Once every host is done: the product's checks after the batches (the migration tool's status, once, on the db host). */
  private async afterHosts(journal: RollbackJournal, grid: FleetGrid, after: PlanStep[], signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted || !grid.hosts.every((h) => grid.hostState(h) === 'done')) return;
    const failure = await runAfterSteps(journal, after, {
      runnerFor: (w) => this.deps.runnerFor(w), iso: () => this.iso(), save: () => this.save(journal), onOutput: this.deps.onOutput,
      event: (kind, message, data) => this.event(journal, kind, message, data),
    });
    if (failure) {
      journal.status = 'failed';
      this.afterFailure = failure;
    }
  }

  private record(journal: RollbackJournal, grid: FleetGrid, c: GridChange): void {
    journal.events.push(changeEvent(c, this.clock.now()));
    this.deps.onChange?.(c, grid);
    void this.save(journal);
  }

  private async finish(journal: RollbackJournal, grid: FleetGrid, hosts: FleetHost[], locked: FleetHost[]): Promise<FleetRunResult> {
    const allDone = grid.hosts.every((h) => grid.hostState(h) === 'done');
    if (journal.status === 'running') journal.status = allDone ? 'succeeded' : 'stopped';
    if (allDone) {
      for (const s of journal.plan.steps.filter((x) => x.kind === 'notify')) {
        const js = journal.steps.find((x) => x.stepId === s.id)!;
        if (js.outcome === 'pending') Object.assign(js, { outcome: 'skipped', detail: 'tell the team from the checklist', finishedAt: this.iso() });
      }
    }
    // A host whose outcome is unknown may still be running a command: its lock stays for the resume.
    const keep = new Set(grid.hosts.filter((h) => grid.hostState(h) === 'unknown'));
    await this.releaseLocks(journal, locked.filter((h) => !keep.has(h.name)));
    if (keep.size) this.event(journal, 'lock-kept', `Lock kept on ${[...keep].join(', ')}: a command there may still be running`);
    journal.finishedAt = this.iso();
    const code = journal.plan.steps.find((s) => s.kind === 'code' && s.id.startsWith('code-'))?.id;
    const hostsState = fleetStateText(grid, code, journal.plan.from.name, journal.plan.to.name) || `nothing ran on ${hosts.map((h) => h.name).join(', ') || 'the fleet'}`;
    const state = this.afterFailure ? `${hostsState}; ${this.afterFailure}` : hostsState;
    this.event(journal, 'fleet-state', state);
    await this.save(journal);
    await this.saving;
    const unsaved = this.saveError ? `; the journal could not be written (${this.saveError}): what is on disk is behind this` : '';
    return { success: journal.status === 'succeeded' && !this.saveError, journal, grid, state: `${state}${unsaved}`, failures: fleetFailures(grid, journal.plan.steps) };
  }

  private async releaseLocks(journal: RollbackJournal, hosts: FleetHost[]): Promise<void> {
    await Promise.all(
      hosts.map(async (h) => {
        try {
          await releaseLock({ runner: this.deps.runnerFor(h.destination), cwd: h.path, environment: journal.plan.environment }, { runId: journal.runId });
        } catch (e) {
          this.event(journal, 'lock-release-failed', `${h.name}: ${(e as Error).message}`);
        }
      }),
    );
  }

  private stopped(journal: RollbackJournal, why: string): boolean {
    journal.status = 'stopped';
    this.event(journal, 'fleet-stopped', why);
    return false;
  }

  private event(journal: RollbackJournal, kind: string, message: string, data?: Record<string, unknown>): void {
    journal.events.push({ at: this.iso(), kind, message, ...(data ? { data } : {}) });
  }

  /**
   * Saves in order, one at a time, the newest state each time: changes that arrive while a
   * save is being written go out together in the next one (Ansible reports faster than a
   * durable write completes, and every write holds everything before it).
   */
  private save(journal: RollbackJournal): Promise<void> {
    if (this.queued) return this.saving;
    this.queued = true;
    this.saving = this.saving
      .then(() => {
        this.queued = false;
        return this.deps.journals.save(structuredClone(journal));
      })
      .catch((e: unknown) => {
        this.saveError ??= e instanceof Error ? e.message : String(e);
      });
    return this.saving;
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
