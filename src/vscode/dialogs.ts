import * as vscode from 'vscode';
import type { UndoChoice, UndoPath } from '../core/database';
import type { Decision, RollbackDialogs } from '../app/ui';
import type { FailureDecision, FailureState, UnknownOutcomeAnswer, UnknownOutcomeInfo } from '../core/run/ports';
import type { PlanStep, RollbackPlan } from '../core/plan/types';
import { patternsOnly } from '../core/redact';
import type { Release } from '../core/releases';
import type { EnvironmentChoice } from '../core/config/environmentOrder';
import type { RefusedHostKey, UnknownHostKey } from '../infra/ssh';
import type { ConfigErrorNotice } from './configErrorNotice';
import type { Cause, CauseChoice, ConfigRemedy } from '../core/decision/tree';
import { describeBlockers, explainBlockers, type AllClearBlocker } from '../core/verification';
import { notificationSafe } from '../core/redact/displayText';

// The questions and messages a rollback needs are the application layer's (src/app/ui.ts);
// VsCodeDialogs asks them with quick picks, input boxes and modals, and the integration suite
// swaps in scripted answers so the commands run end to end inside VS Code without a person.
export type { Decision, RollbackDialogs } from '../app/ui';

const IMMEDIATE = 'Immediate: error rate or latency jumped right after the deploy, data is being corrupted, a security hole shipped, the service is down.';
const INVESTIGATE = 'Brief investigation first (minutes, not hours): a slight latency increase, a single-page glitch, non-blocking log warnings. A timer runs, then this question comes back.';
const FORWARD = 'A hotfix you can ship faster than the rollback ceremony, under 30 minutes: a small bug behind a known feature flag. Not for a panic loop, an auth regression or data corruption.';

export class VsCodeDialogs implements RollbackDialogs {
  /** Messages can quote errors and command output: they are shown through the product's redactor (without one, its pattern families). */
  constructor(
    private readonly redact: (text: string) => string = (text) => patternsOnly.redact(text),
    /** "rollback.yml has errors", closed by ConfigDiagnostics once they are fixed. */
    private readonly configNotice?: ConfigErrorNotice,
  ) {}

  async decide(triggers?: Promise<string[]>): Promise<Decision | undefined> {
    const items: Array<vscode.QuickPickItem & { value: Decision }> = [
      { value: 'roll-back', label: '$(history) Roll back', description: 'if unsure, roll back', detail: IMMEDIATE },
      { value: 'investigate', label: '$(search) Investigate first', description: 'a few minutes at most, then decide', detail: INVESTIGATE },
      { value: 'roll-forward', label: '$(arrow-right) Roll forward', description: 'a hotfix you can ship in under 30 minutes', detail: FORWARD },
    ];
    // Error spikes read from the services' logs (app/errorSpikes.ts), when they arrive within a moment: each is an immediate trigger.
    const spikes = triggers ? await Promise.race([triggers, new Promise<string[]>((r) => setTimeout(() => r([]), 1500))]) : [];
    items.unshift(...spikes.map((t) => ({ value: 'roll-back' as const, label: `$(pulse) ${this.redact(t)}`, description: 'error spike in the logs: roll back', detail: 'An immediate trigger: the error rate jumped against the hour before.' })));
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Rollback: roll back or roll forward?',
      placeHolder: 'If unsure, roll back: a known-good release now beats a fix in an hour',
      ignoreFocusOut: true,
      matchOnDetail: true,
    });
    return pick?.value;
  }

  /** The all-clear is not earned (a check failed, was skipped or could not run): the reason to send it anyway, or undefined to withhold it. */
  async allClearException(blockers: AllClearBlocker[], plan: RollbackPlan): Promise<string | undefined> {
    const r = await vscode.window.showInputBox({
      title: `The all-clear for ${plan.environment} is not earned: ${describeBlockers(blockers)}`,
      prompt: `${this.redact(explainBlockers(blockers))}. Type why it may go out anyway (the message, the journal and the post-mortem say so), or press Escape to withhold it.`,
      placeHolder: 'e.g. smoke DB is down for maintenance; checked the flows by hand',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim().length < 3 ? 'Say in a few words why, or press Escape to withhold the all-clear' : undefined),
    });
    return r?.trim() || undefined;
  }

  async reason(defaultReason?: string): Promise<string | undefined> {
    const r = await vscode.window.showInputBox({
      title: 'Why are you rolling back?',
      prompt: 'One line for the team, the journal and the post-mortem, e.g. "/health returns 500 on api since the deploy"',
      value: defaultReason,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim().length < 3 ? 'Say in a few words what is wrong' : undefined),
    });
    return r?.trim();
  }

  async pickEnvironment(choices: EnvironmentChoice[]): Promise<string | undefined> {
    if (choices.length === 1) return choices[0].env.name;
    const items = choices.map((c) => ({ label: c.env.name, description: c.where, detail: c.deployed, name: c.env.name }));
    const pick = await vscode.window.showQuickPick(items, { title: 'Which environment?', placeHolder: 'Where the rollback runs: host and path', ignoreFocusOut: true, matchOnDescription: true });
    return pick?.name;
  }

  async pickRelease(releases: Release[], title: string): Promise<Release | undefined> {
    const items = releases.map((r) => ({
      label: r.name,
      description: [r.markers.join(' · '), r.sha.slice(0, 12)].filter(Boolean).join('  '),
      detail: r.subject,
      release: r,
    }));
    const pick = await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true, matchOnDescription: true });
    return pick?.release;
  }

  async chooseCause(choices: CauseChoice[]): Promise<Cause | undefined> {
    const icons: Record<Cause, string> = { code: '$(git-commit)', database: '$(database)', configuration: '$(settings-gear)', unknown: '$(question)' };
    const pick = await vscode.window.showQuickPick(
      choices.map((c) => ({ label: `${icons[c.cause]} ${c.label}`, detail: c.detail, cause: c.cause })),
      { title: 'What changed in the bad deploy?', placeHolder: 'The runbook\'s decision tree: the change decides the way back (not sure: the full rollback)', ignoreFocusOut: true, matchOnDetail: true },
    );
    return pick?.cause;
  }

  async chooseConfigRemedy(hasConfigFiles: boolean): Promise<ConfigRemedy | undefined> {
    const items: Array<vscode.QuickPickItem & { remedy: ConfigRemedy }> = [
      { remedy: 'restore', label: '$(history) Restore the config files and recreate the services', detail: hasConfigFiles ? 'The configFiles of the last good release come back (from git, or from the pre-deploy snapshot); every service is recreated so it reads them. No code change.' : 'rollback.yml lists no configFiles: the plan will say what to add.' },
      { remedy: 'restart', label: '$(debug-restart) Restart the services as they are', detail: 'Nothing is restored; every service is redeployed on the running code. A plain restart does not reload an env file.' },
    ];
    const pick = await vscode.window.showQuickPick(hasConfigFiles ? items : [items[1], items[0]], { title: 'The configuration: restore it or restart?', ignoreFocusOut: true, matchOnDetail: true });
    return pick?.remedy;
  }

  async chooseDatabaseUndo(choice: UndoChoice, environment: string): Promise<UndoPath | undefined> {
    const n = choice.downs.length;
    const items: Array<vscode.QuickPickItem & { value: UndoPath }> = [
      {
        value: 'down',
        label: `$(debug-step-back) ${n} down step${n === 1 ? '' : 's'}, newest first`,
        description: choice.downs.join(', '),
        detail: `Each one shown and confirmed on its own. ${choice.downLoses.length ? `Loses: ${choice.downLoses.join(' ')}` : 'No data loss found on the way down.'}`,
      },
      {
        value: 'restore',
        label: '$(database) Restore the backup',
        description: choice.restore,
        detail: `${choice.writers.length ? `Stops ${choice.writers.join(', ')} first, then restores` : 'Restores'}; verifies the migration table and row counts after. Everything written since the backup is lost.`,
      },
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: `Undo the bad release's migrations on ${environment}: how?`,
      placeHolder: 'Weigh what the down steps lose against what was written since the backup. Escape plans nothing.',
      ignoreFocusOut: true,
    });
    return pick?.value;
  }

  /**
   * A quick pick, not a modal: a modal blocks the whole window, and the operator must be
   * able to scroll the preview they are confirming. ignoreFocusOut keeps it open while
   * they read the plan.
   */
  async confirmPlan(plan: RollbackPlan): Promise<boolean> {
    const destructive = plan.steps.filter((s) => s.destructive).length;
    const items: Array<vscode.QuickPickItem & { run: boolean }> = [
      {
        run: true,
        label: `$(play) Run ${plan.steps.length} steps`,
        detail: `On ${plan.where}, exactly as the preview shows${destructive ? `; ${destructive} destructive (you will type "${plan.environment}" before each)` : ''}`,
      },
      { run: false, label: '$(close) Cancel', detail: 'Nothing runs; the preview stays open' },
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: `Roll back ${plan.environment} (${plan.where}) from ${plan.from.name} to ${plan.to.name}?`,
      placeHolder: `Read the plan in the editor first. Reason: ${plan.reason}`,
      ignoreFocusOut: true,
    });
    return pick?.run === true;
  }

  /** The plan question with "Rehearse first": the database steps on a scratch copy of the schema before anything runs. */
  async confirmPlanOrRehearse(plan: RollbackPlan): Promise<'run' | 'rehearse' | undefined> {
    const destructive = plan.steps.filter((s) => s.destructive).length;
    // Run first: Enter at the keyboard does what the operator came for; the rehearsal is one arrow away.
    const items: Array<vscode.QuickPickItem & { answer?: 'run' | 'rehearse' }> = [
      { answer: 'run', label: `$(play) Run ${plan.steps.length} steps`, detail: `On ${plan.where}, exactly as the preview shows${destructive ? `; ${destructive} destructive (you will type "${plan.environment}" before each)` : ''}` },
      { answer: 'rehearse', label: '$(beaker) Rehearse first', detail: `The mitigations and down steps on a scratch copy of ${plan.environment}'s schema (migrations.scratch): each statement's result and locks; nothing runs on ${plan.where}` },
      { label: '$(close) Cancel', detail: 'Nothing runs; the preview stays open' },
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: `Roll back ${plan.environment} (${plan.where}) from ${plan.from.name} to ${plan.to.name}?`,
      placeHolder: `Read the plan in the editor first. Reason: ${plan.reason}`,
      ignoreFocusOut: true,
    });
    return pick?.answer;
  }

  async confirm(message: string, detail: string, action: string): Promise<boolean> {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
  }

  info(message: string): void {
    void vscode.window.showInformationMessage(notificationSafe(this.redact(message)));
  }

  error(message: string, ...actions: string[]): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showErrorMessage(notificationSafe(this.redact(message)), ...actions));
  }

  configErrors(message: string): void {
    if (this.configNotice) this.configNotice.show(this.redact(message));
    else void this.error(message);
  }

  async typeEnvironmentName(environment: string, destructiveSteps: PlanStep[]): Promise<string | undefined> {
    return vscode.window.showInputBox({
      title: `Destructive: type "${environment}" to run ${destructiveSteps.length === 1 ? 'this step' : 'these steps'}`,
      prompt: `Can lose data: ${destructiveSteps.map((s) => s.title).join('; ')}. Escape stops the rollback before it.`,
      ignoreFocusOut: true,
      validateInput: (v) => (v === environment || v === '' ? undefined : `Type the environment's name exactly: ${environment}`),
    });
  }

  async confirmStep(step: PlanStep, plan: RollbackPlan): Promise<'run' | 'skip' | 'stop'> {
    const input = step.commands.find((c) => c.input)?.input;
    const pick = await vscode.window.showWarningMessage(
      `Run "${step.title}" on ${plan.environment}?`,
      {
        modal: true,
        detail: `${step.why}\n\n${step.commands.map((c) => `${c.where}$ ${c.command}`).join('\n')}${input ? `\n\nWith this on its input:\n${input}` : ''}\n\nCancel stops the rollback before this step; Resume Rollback continues later.`,
      },
      'Run',
      'Skip',
    );
    return pick === 'Run' ? 'run' : pick === 'Skip' ? 'skip' : 'stop';
  }

  async commandStillRunning(step: PlanStep, running: { processGroup: number; command: string; where: string }): Promise<'wait' | 'terminate' | 'stop'> {
    const on = running.where === 'local' ? 'on this machine' : `on ${running.where}`;
    const items: Array<vscode.QuickPickItem & { value: 'wait' | 'terminate' | 'stop' }> = [
      { value: 'wait', label: '$(watch) Wait for it to end', description: 'recommended', detail: `Its exit status was lost with the interrupted run: then "${step.title}" is checked, or you are asked, before it runs again.` },
      { value: 'terminate', label: '$(debug-stop) Stop it and run the step again', detail: `SIGTERM to its process group ${on}, SIGKILL after 5 s if it is still there.` },
      { value: 'stop', label: '$(close) Stop the rollback here', detail: 'Nothing else runs; Resume Rollback asks again later.' },
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: `"${step.title}" is still running from the interrupted rollback`,
      placeHolder: `${running.command}  (process group ${running.processGroup} ${on})`,
      ignoreFocusOut: true,
    });
    return pick?.value ?? 'stop';
  }

  /** A quick pick, so the preview and the output tail can be read while it is open. */
  async unknownOutcome(step: PlanStep, info: UnknownOutcomeInfo): Promise<UnknownOutcomeAnswer> {
    const since = info.startedAt ? ` since ${info.startedAt}` : '';
    const last = info.outputTail?.trim().split('\n').slice(-3).join(' ⏎ ');
    const items: Array<vscode.QuickPickItem & { value: UnknownOutcomeAnswer }> = [
      { value: 'run-again', label: '$(refresh) Run it again', detail: `Only if running it twice is harmless, or you checked that it did not take effect: ${info.commands.join('; ') || 'no command'}` },
      { value: 'mark-done', label: '$(check) It took effect: record it as done', detail: `You checked on ${info.plan.where}; the journal records that you said so, and it is not run again.` },
      { value: 'stop', label: '$(debug-stop) Stop here', detail: 'Nothing runs; the journal records the step as unknown, and Resume Rollback asks again.' },
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: `"${step.title}" was ${info.outcome === 'running' ? 'running' : 'cut off'}${since} when the rollback was interrupted: did it take effect?`,
      placeHolder: `${info.whyNotChecked}.${info.detail ? ` ${info.detail}.` : ''}${last ? ` Last output: ${last}` : ' No output was recorded.'}`,
      ignoreFocusOut: true,
    });
    return pick?.value ?? 'stop';
  }

  async confirmManual(step: PlanStep, plan: RollbackPlan): Promise<'done' | 'skip' | 'stop'> {
    const done = 'Done by hand';
    const pick = await vscode.window.showWarningMessage(
      `Do "${step.title}" by hand on ${plan.environment}, then confirm`,
      {
        modal: true,
        detail: `No command can do this step for you. ${step.why}\n\n"${done}" records in the journal that you did it; "Skip" records that it was not done. Cancel stops the rollback here; Resume Rollback continues later.`,
      },
      done,
      'Skip',
    );
    return pick === done ? 'done' : pick === 'Skip' ? 'skip' : 'stop';
  }

  async chooseOnFailure(step: PlanStep, state: FailureState): Promise<FailureDecision> {
    const where = state.cleanedUp ? 'The step was undone: the repository is exactly as before it.' : 'The step may have been partly applied.';
    const items: Array<vscode.QuickPickItem & { decision: FailureDecision['action'] }> = [
      { decision: 'retry', label: '$(refresh) Retry the step', detail: `Attempt ${state.attempts + 1}` },
      { decision: 'skip', label: '$(debug-step-over) Skip it', detail: 'You will be asked for a reason; it goes into the journal' },
    ];
    if (state.canSwitchToCheckout) items.push({ decision: 'switch-to-checkout', label: '$(git-branch) Switch to checkout', detail: 'Check out the previous release instead of reverting (your changes are stashed first)' });
    if (state.canFullRedeploy && state.plan.fullRedeploy) {
      const full = state.plan.fullRedeploy.steps;
      items.push({ decision: 'full-redeploy', label: '$(flame) Full redeploy', detail: `Instead of this service's remaining steps: ${full.map((s) => s.title).join(' → ')} (as previewed)` });
    }
    items.push({ decision: 'stop', label: '$(debug-stop) Stop here', detail: 'The journal keeps every finished step; Rollback: Resume Rollback continues later' });
    const pick = await vscode.window.showQuickPick(items, {
      title: `"${step.title}" ${state.outcome === 'unknown' ? 'has an unknown outcome (the connection died)' : 'failed'}: ${state.detail}`,
      placeHolder: where,
      ignoreFocusOut: true,
    });
    if (!pick || pick.decision === 'stop') return { action: 'stop' };
    if (pick.decision === 'skip') {
      const reason = await vscode.window.showInputBox({ title: `Why skip "${step.title}"?`, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A reason is needed for the journal') });
      return reason ? { action: 'skip', reason } : { action: 'stop' };
    }
    return { action: pick.decision };
  }

  async confirmUnknownHost(key: UnknownHostKey): Promise<'accept-once' | 'accept-and-save' | 'reject'> {
    const save = 'Trust and save to known_hosts';
    const once = 'Trust this time only';
    const pick = await vscode.window.showWarningMessage(
      `The authenticity of host ${key.port === 22 ? key.host : `[${key.host}]:${key.port}`} can't be established.`,
      {
        modal: true,
        detail: `${key.keyType} key fingerprint is ${key.fingerprint}.${key.otherTypesKnown.length ? `\nKnown keys of other types: ${key.otherTypesKnown.join(', ')}.` : ''}\nCompare it with the fingerprint your infrastructure publishes before you trust it.`,
      },
      save,
      once,
    );
    return pick === save ? 'accept-and-save' : pick === once ? 'accept-once' : 'reject';
  }

  hostKeyRefused(key: RefusedHostKey): void {
    void vscode.window.showErrorMessage(
      `Host key for ${key.host}:${key.port} was refused: the ${key.keyType} key ${key.reason === 'changed' ? 'CHANGED' : 'is REVOKED'} (${key.fingerprint}). ${key.detail}. Nothing was sent to the host. If the change is expected, update known_hosts yourself (ssh-keygen -R).`,
    );
  }
}
