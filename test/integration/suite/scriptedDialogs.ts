import type { RollbackDialogs, Decision } from '../../../src/vscode/dialogs';
import type { FailureDecision, FailureState } from '../../../src/core/run/ports';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import type { Release } from '../../../src/core/releases';
import type { EnvironmentChoice } from '../../../src/core/config/environmentOrder';
import type { UndoChoice, UndoPath } from '../../../src/core/database';
import type { RefusedHostKey, UnknownHostKey } from '../../../src/infra/ssh';

/**
 * Scripted answers to the rollback's questions (stand-in for a person at the quick
 * picks; the Playwright UI test drives the real ones). Every question asked and every
 * message shown is recorded so the tests can assert on what the user would have seen.
 */
export class ScriptedDialogs implements RollbackDialogs {
  readonly asked: string[] = [];
  readonly infos: string[] = [];
  readonly errors: string[] = [];
  plansConfirmed: RollbackPlan[] = [];

  constructor(
    private readonly answers: {
      decision?: Decision;
      reason?: string;
      environment?: string;
      release?: (rs: Release[]) => Release | undefined;
      confirmPlan?: boolean;
      confirm?: boolean;
      typed?: (env: string) => string | undefined;
      onFailure?: (step: PlanStep, state: FailureState) => FailureDecision;
      confirmStep?: 'run' | 'skip' | 'stop';
      manual?: 'done' | 'skip' | 'stop';
      stillRunning?: 'wait' | 'terminate' | 'stop';
      unknownOutcome?: 'run-again' | 'mark-done' | 'stop';
      hostKey?: 'accept-once' | 'accept-and-save' | 'reject';
      undo?: UndoPath;
    } = {},
  ) {}

  async decide() { this.asked.push('decide'); return this.answers.decision ?? 'roll-back'; }
  async reason() { this.asked.push('reason'); return this.answers.reason ?? 'api /health answers 500 since the deploy'; }
  async pickEnvironment(choices: EnvironmentChoice[]) { const names = choices.map((c) => c.env.name); this.asked.push(`environment:${names.join(',')}`); return this.answers.environment ?? names[0]; }
  async pickRelease(rs: Release[], title: string) { this.asked.push(`release:${title}`); return this.answers.release ? this.answers.release(rs) : rs[0]; }
  readonly undoChoices: UndoChoice[] = [];
  async chooseDatabaseUndo(choice: UndoChoice, env: string) { this.asked.push(`undo:${env}`); this.undoChoices.push(choice); return this.answers.undo ?? 'down'; }
  async confirmPlan(plan: RollbackPlan) { this.asked.push('confirmPlan'); this.plansConfirmed.push(plan); return this.answers.confirmPlan ?? true; }
  async confirm(message: string) { this.asked.push(`confirm:${message}`); return this.answers.confirm ?? true; }
  info(message: string) { this.infos.push(message); }
  async error(message: string) { this.errors.push(message); return undefined; }
  async typeEnvironmentName(env: string, steps: PlanStep[]) { this.asked.push(`type:${env}:${steps.map((x) => x.id).join(',')}`); return this.answers.typed ? this.answers.typed(env) : env; }
  async confirmStep() { this.asked.push('confirmStep'); return this.answers.confirmStep ?? 'run'; }
  async commandStillRunning(step: PlanStep) { this.asked.push(`still-running:${step.id}`); return this.answers.stillRunning ?? 'wait'; }
  async unknownOutcome(step: PlanStep) { this.asked.push(`unknown-outcome:${step.id}`); return this.answers.unknownOutcome ?? 'stop'; }
  async confirmManual(step: PlanStep) { this.asked.push(`manual:${step.id}`); return this.answers.manual ?? 'done'; }
  async chooseOnFailure(step: PlanStep, state: FailureState): Promise<FailureDecision> {
    this.asked.push(`failure:${step.id}`);
    return this.answers.onFailure ? this.answers.onFailure(step, state) : { action: 'stop' };
  }
  async confirmUnknownHost(key: UnknownHostKey) { this.asked.push(`hostkey:${key.fingerprint}`); return this.answers.hostKey ?? 'reject'; }
  readonly refused: RefusedHostKey[] = [];
  hostKeyRefused(key: RefusedHostKey) { this.refused.push(key); }
}
