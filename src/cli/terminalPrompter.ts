import type { EnvironmentChoice } from '../core/config/environmentOrder';
import type { UndoChoice, UndoPath } from '../core/database';
import type { Cause, CauseChoice, ConfigRemedy } from '../core/decision/tree';
import type { PlanStep, RollbackPlan } from '../core/plan/types';
import type { Release } from '../core/releases';
import type { LeftoverProcess } from '../core/run/journalTypes';
import type { FailureDecision, FailureState, UnknownOutcomeAnswer, UnknownOutcomeInfo } from '../core/run/ports';
import type { RefusedHostKey, UnknownHostKey } from '../infra/ssh';
import type { Decision, Prompter } from '../app/ui';
import { chooseOnTerminal, MAX_TRIES, type Choice } from './choose';
import type { Terminal } from './terminal';

/** The answers a flag gives instead of a question. */
export interface TerminalPresets {
  confirmPlan?: boolean;
  undo?: UndoPath;
  /** --cause: what changed; it is also the decision to roll back (the roll back / forward / investigate question is not asked). */
  cause?: Cause;
  /** --remedy, for --cause config: restore the config files and recreate, or restart. */
  remedy?: ConfigRemedy;
}

/** What --cause takes, as the runbooks' decision tree names the branches. */
export const CAUSE_FLAG = 'code|database|config|unknown';


/**
 * The rollback's questions on a terminal: numbered choices, typed lines, y/N confirmations.
 * Without a terminal the flow's own questions refuse (NeedsTerminalError: nothing ran yet);
 * the engine's questions during a run answer "stop" and say why, so the journal records where
 * it stopped and `rollback-pilot resume` on a terminal continues. The environment name typed
 * before a destructive step has no flag and no default.
 */
export class TerminalPrompter implements Prompter {
  /** Why a run stopped for want of a terminal, one sentence each (main turns these into exit code 4). */
  readonly refusals: string[] = [];

  constructor(
    private readonly term: Terminal,
    private readonly redact: (text: string) => string,
    /** Answers given by flags (--yes: the plan, each step's confirmation, a resume; --db-undo; --cause, --remedy), never the typed environment name. */
    private readonly preset: TerminalPresets = {},
  ) {}

  private say(text: string): void {
    this.term.err(this.redact(text));
  }

  private choose<T>(title: string, choices: Array<Choice<T>>, hint?: string, defaultIndex?: number): Promise<T | undefined> {
    return chooseOnTerminal(this.term, (t) => this.say(t), title, choices, hint, defaultIndex);
  }

  private async yesNo(question: string, hint?: string): Promise<boolean> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const line = await this.term.ask(`${question} [y/N] `, hint);
      if (line === undefined) return false;
      const a = line.trim().toLowerCase();
      if (a === 'y' || a === 'yes') return true;
      if (a === '' || a === 'n' || a === 'no') return false;
      this.say('Answer y or n.');
    }
    return false;
  }

  /** An engine question during a run without a terminal: the safe answer, and the reason kept. */
  private refuse<T>(why: string, answer: T, needsTerminal = true): T {
    if (needsTerminal) this.refusals.push(why);
    this.say(this.term.style(`Refused: ${why}`, 'red'));
    return answer;
  }

  async decide(triggers?: Promise<string[]>): Promise<Decision | undefined> {
    if (this.preset.cause) {
      this.say(`Decision: roll back (--cause ${causeFlagOf(this.preset.cause)}).`);
      return 'roll-back';
    }
    // Error spikes and the like, said when they arrive (the question may already be open).
    if (triggers && this.term.interactive) {
      void triggers.then((lines) => {
        if (lines.length) this.say(this.term.style(`Seen just now: ${lines.join('; ')}`, 'yellow'));
      }, () => undefined);
    }
    return this.choose<Decision>('Roll back, roll forward, or investigate first?', [
      { value: 'roll-back', label: 'Roll back', detail: 'Immediate: error rate or latency jumped right after the deploy, data is being corrupted, a security hole shipped, the service is down. If unsure, roll back.' },
      { value: 'roll-forward', label: 'Roll forward', detail: 'A hotfix you can ship in under 30 minutes, after a brief investigation.' },
      { value: 'investigate', label: 'Investigate first (a few minutes at most, then decide)', detail: 'A slight latency increase, a single-page glitch, non-blocking log warnings. A timer runs, then this question comes back.' },
    ], `Pass --cause ${CAUSE_FLAG} to roll back without this question, or --plan FILE --digest D to run an approved plan (a destructive step still asks for the environment name).`, 0);
  }

  chooseCause(choices: CauseChoice[]): Promise<Cause | undefined> {
    if (this.preset.cause) return Promise.resolve(this.preset.cause);
    return this.choose('What changed in the bad deploy?', choices.map((c) => ({ value: c.cause, label: c.label, detail: c.detail })), `Pass --cause ${CAUSE_FLAG}.`);
  }

  async chooseConfigRemedy(hasConfigFiles: boolean): Promise<ConfigRemedy | undefined> {
    if (this.preset.remedy) return this.preset.remedy;
    const restore: Choice<ConfigRemedy> = { value: 'restore', label: 'Restore the config files and recreate the services', detail: hasConfigFiles ? 'The configFiles of the last good release come back (from git, or from the pre-deploy snapshot); every service is recreated so it reads them. No code change.' : 'rollback.yml lists no configFiles: the plan will say what to add.' };
    const restart: Choice<ConfigRemedy> = { value: 'restart', label: 'Restart the services as they are', detail: 'Nothing is restored; every service is redeployed on the running code. A plain restart does not reload an env file.' };
    return this.choose('The configuration: restore it or restart?', hasConfigFiles ? [restore, restart] : [restart, restore], 'Pass --remedy restore or --remedy restart.', 0);
  }

  async reason(defaultReason?: string): Promise<string | undefined> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const line = await this.term.ask(`Why are you rolling back? (one line for the team, the journal and the post-mortem)${defaultReason ? ` [${defaultReason}]` : ''}: `, 'Pass --reason TEXT.');
      if (line === undefined) return undefined;
      const r = line.trim() || defaultReason || '';
      if (r.length >= 3) return r;
      this.say('Say in a few words what is wrong.');
    }
    return undefined;
  }

  async pickEnvironment(choices: EnvironmentChoice[]): Promise<string | undefined> {
    if (choices.length === 1) return choices[0].env.name;
    return this.choose('Which environment?', choices.map((c) => ({ value: c.env.name, label: `${c.env.name}  ${c.where}`, detail: c.deployed })), `Pass --env (${choices.map((c) => c.env.name).join(', ')}).`);
  }

  pickRelease(releases: Release[], title: string): Promise<Release | undefined> {
    return this.choose(title, releases.map((r) => ({ value: r, label: `${r.name}  ${[r.markers.join(' · '), r.sha.slice(0, 12)].filter(Boolean).join('  ')}`, detail: r.subject })), 'Pass --to REF.');
  }

  async chooseDatabaseUndo(choice: UndoChoice, environment: string): Promise<UndoPath | undefined> {
    if (this.preset.undo) return this.preset.undo;
    const n = choice.downs.length;
    return this.choose<UndoPath>(`Undo the bad release's migrations on ${environment}: how?`, [
      { value: 'down', label: `${n} down step${n === 1 ? '' : 's'}, newest first: ${choice.downs.join(', ')}`, detail: `Each one shown and confirmed on its own. ${choice.downLoses.length ? `Loses: ${choice.downLoses.join(' ')}` : 'No data loss found on the way down.'}` },
      { value: 'restore', label: `Restore the backup: ${choice.restore}`, detail: `${choice.writers.length ? `Stops ${choice.writers.join(', ')} first, then restores` : 'Restores'}; verifies the migration table and row counts after. Everything written since the backup is lost.` },
    ], 'Pass --db-undo down or --db-undo restore.');
  }

  async confirmPlan(plan: RollbackPlan): Promise<boolean> {
    if (this.preset.confirmPlan) return true;
    const destructive = plan.steps.filter((s) => s.destructive).length;
    this.say(`\nRoll back ${plan.environment} (${plan.where}) from ${plan.from.name} to ${plan.to.name}: ${plan.steps.length} steps, exactly as the preview above shows${destructive ? `; ${destructive} destructive (you will type "${plan.environment}" before each)` : ''}.`);
    return this.yesNo('Run this plan?', 'Pass --yes to confirm the plan (a destructive step still asks for the environment name on a terminal).');
  }

  async confirm(message: string, detail: string, action: string): Promise<boolean> {
    this.say(`\n${this.term.style(message, 'bold')}\n${detail}`);
    if (this.preset.confirmPlan) {
      this.say(`${action}: yes (--yes)`);
      return true;
    }
    return this.yesNo(`${action}?`, 'Pass --yes.');
  }

  async typeEnvironmentName(environment: string, destructiveSteps: PlanStep[]): Promise<string | undefined> {
    const what = destructiveSteps.map((s) => `"${s.title}"`).join(', ');
    if (!this.term.interactive) {
      return this.refuse(`${what} is destructive: the environment name "${environment}" must be typed on a terminal before it runs, and stdin is not one (no flag skips this). Nothing of it ran; run rollback-pilot resume on a terminal to continue.`, undefined);
    }
    this.say(`\n${this.term.style('Destructive', 'red')}: ${destructiveSteps.map((s) => s.title).join('; ')} can lose data.`);
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const typed = await this.term.ask(`Type "${environment}" to run ${destructiveSteps.length === 1 ? 'it' : 'them'} (empty or Ctrl-C stops the rollback before it): `);
      if (typed === undefined || typed === '') return undefined;
      if (typed === environment) return typed;
      this.say(`Type the environment's name exactly: ${environment}`);
    }
    return undefined;
  }

  async confirmStep(step: PlanStep, plan: RollbackPlan): Promise<'run' | 'skip' | 'stop'> {
    if (this.preset.confirmPlan) {
      // --yes confirms each step too; a destructive one still needs its environment name typed (typeEnvironmentName).
      this.say(`Run "${step.title}" on ${plan.environment}: yes (--yes)`);
      return 'run';
    }
    if (!this.term.interactive) return this.refuse(`"${step.title}" asks for a confirmation before it runs, on a terminal; stdin is not one. It did not run.`, 'stop');
    const input = step.commands.find((c) => c.input)?.input;
    this.say(`\n${step.why}\n${step.commands.map((c) => `${c.where}$ ${c.command}`).join('\n')}${input ? `\nWith this on its input:\n${input}` : ''}`);
    const pick = await this.choose(`Run "${step.title}" on ${plan.environment}?`, [
      { value: 'run' as const, label: 'Run' },
      { value: 'skip' as const, label: 'Skip' },
      { value: 'stop' as const, label: 'Stop the rollback before this step (resume continues later)' },
    ]);
    return pick ?? 'stop';
  }

  async confirmManual(step: PlanStep, plan: RollbackPlan): Promise<'done' | 'skip' | 'stop'> {
    if (!this.term.interactive) return this.refuse(`"${step.title}" is done by hand and confirmed on a terminal; stdin is not one.`, 'stop');
    this.say(`\nNo command can do this step for you. ${step.why}`);
    const pick = await this.choose(`Do "${step.title}" by hand on ${plan.environment}, then confirm`, [
      { value: 'done' as const, label: 'Done by hand (the journal records that you did it)' },
      { value: 'skip' as const, label: 'Skip (the journal records that it was not done)' },
      { value: 'stop' as const, label: 'Stop the rollback here' },
    ]);
    return pick ?? 'stop';
  }

  async commandStillRunning(step: PlanStep, running: LeftoverProcess & { where: string }): Promise<'wait' | 'terminate' | 'stop'> {
    const on = running.where === 'local' ? 'on this machine' : `on ${running.where}`;
    if (!this.term.interactive) return this.refuse(`"${step.title}" is still running from the interrupted rollback (${running.command}, process group ${running.processGroup} ${on}); whether to wait or stop it is asked on a terminal.`, 'stop');
    const pick = await this.choose(`"${step.title}" is still running from the interrupted rollback: ${running.command} (process group ${running.processGroup} ${on})`, [
      { value: 'wait' as const, label: 'Wait for it to end (recommended)' },
      { value: 'terminate' as const, label: 'Stop it (SIGTERM, SIGKILL after 5 s) and run the step again' },
      { value: 'stop' as const, label: 'Stop the rollback here' },
    ], undefined, 0);
    return pick ?? 'stop';
  }

  async unknownOutcome(step: PlanStep, info: UnknownOutcomeInfo): Promise<UnknownOutcomeAnswer> {
    if (!this.term.interactive) return this.refuse(`whether "${step.title}" took effect is unknown (${info.whyNotChecked}); the operator answers that on a terminal.`, 'stop');
    const last = info.outputTail?.trim().split('\n').slice(-3).join('\n    ');
    this.say(`\n${info.whyNotChecked}.${info.detail ? ` ${info.detail}.` : ''}${last ? `\nLast output:\n    ${last}` : ' No output was recorded.'}`);
    const pick = await this.choose(`"${step.title}" was ${info.outcome === 'running' ? 'running' : 'cut off'}${info.startedAt ? ` since ${info.startedAt}` : ''} when the rollback was interrupted: did it take effect?`, [
      { value: 'run-again' as const, label: `Run it again (only if running it twice is harmless): ${info.commands.join('; ') || 'no command'}` },
      { value: 'mark-done' as const, label: `It took effect: record it as done (you checked on ${info.plan.where})` },
      { value: 'stop' as const, label: 'Stop here (the journal keeps it unknown)' },
    ]);
    return pick ?? 'stop';
  }

  async chooseOnFailure(step: PlanStep, state: FailureState): Promise<FailureDecision> {
    const headline = `"${step.title}" ${state.outcome === 'unknown' ? 'has an unknown outcome (the connection died)' : 'failed'}: ${state.detail}`;
    if (!this.term.interactive) // The run failed (exit 1, not 4): what to do about it is for a person to decide, later, on a terminal.
      return this.refuse(`${headline}. Retry, skip or stop is chosen on a terminal; stopped here.`, { action: 'stop' as const }, false);
    this.say(state.cleanedUp ? 'The step was undone: the repository is exactly as before it.' : 'The step may have been partly applied.');
    const choices: Array<Choice<FailureDecision['action']>> = [
      { value: 'retry', label: `Retry the step (attempt ${state.attempts + 1})` },
      { value: 'skip', label: 'Skip it (you give a reason for the journal)' },
    ];
    if (state.canSwitchToCheckout) choices.push({ value: 'switch-to-checkout', label: 'Switch to checkout (your changes are stashed first)' });
    if (state.canFullRedeploy && state.plan.fullRedeploy) choices.push({ value: 'full-redeploy', label: `Full redeploy: ${state.plan.fullRedeploy.steps.map((s) => s.title).join(' → ')} (as previewed)` });
    choices.push({ value: 'stop', label: 'Stop here (the journal keeps every finished step; resume continues later)' });
    const pick = await this.choose(headline, choices);
    if (!pick || pick === 'stop') return { action: 'stop' };
    if (pick === 'skip') {
      const reason = (await this.term.ask(`Why skip "${step.title}"? `))?.trim();
      return reason ? { action: 'skip', reason } : { action: 'stop' };
    }
    return { action: pick };
  }

  async confirmUnknownHost(key: UnknownHostKey): Promise<'accept-once' | 'accept-and-save' | 'reject'> {
    const host = key.port === 22 ? key.host : `[${key.host}]:${key.port}`;
    if (!this.term.interactive) return this.refuse(`the authenticity of host ${host} can't be established (${key.keyType} ${key.fingerprint}) and there is no terminal to ask; add its key to the known_hosts file (--known-hosts) after comparing the fingerprint.`, 'reject');
    this.say(`\nThe authenticity of host ${host} can't be established.\n${key.keyType} key fingerprint is ${key.fingerprint}.${key.otherTypesKnown.length ? `\nKnown keys of other types: ${key.otherTypesKnown.join(', ')}.` : ''}\nCompare it with the fingerprint your infrastructure publishes before you trust it.`);
    const pick = await this.choose('Trust this host key?', [
      { value: 'reject' as const, label: 'No: refuse the connection' },
      { value: 'accept-once' as const, label: 'Trust it this time only' },
      { value: 'accept-and-save' as const, label: 'Trust it and save it to known_hosts' },
    ], undefined, 0);
    return pick ?? 'reject';
  }

  hostKeyRefused(key: RefusedHostKey): void {
    this.say(this.term.style(`Host key for ${key.host}:${key.port} was refused: the ${key.keyType} key ${key.reason === 'changed' ? 'CHANGED' : 'is REVOKED'} (${key.fingerprint}). ${key.detail}. Nothing was sent to the host. If the change is expected, update known_hosts yourself (ssh-keygen -R).`, 'red'));
  }
}

/** The flag's word for a cause (the tree says "configuration", the flag "config"). */
export function causeFlagOf(cause: Cause): string {
  return cause === 'configuration' ? 'config' : cause;
}
