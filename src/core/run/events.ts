import type { PlanStep, RollbackPlan, StepOutcome } from '../plan/types';
import type { LogCounts } from '../logs/types';

/**
 * What the rollback engine tells the rest of the extension while it runs. The
 * checklist webview, the status bar and the log channel subscribe; none of them polls.
 */
export type RollbackEvent =
  | { type: 'run-started'; runId: string; plan: RollbackPlan; at: number }
  | { type: 'step-started'; runId: string; step: PlanStep; at: number }
  /** Steps were replaced mid-run (switch to checkout, full redeploy): `plan` is the plan from now on. */
  | { type: 'plan-changed'; runId: string; plan: RollbackPlan; at: number }
  | { type: 'step-output'; runId: string; stepId: string; chunk: string; stream: 'stdout' | 'stderr' }
  | { type: 'step-finished'; runId: string; stepId: string; outcome: StepOutcome; at: number; detail?: string }
  | { type: 'health-probe'; runId: string; stepId: string; service?: string; url: string; status: number | null; ok: boolean; at: number; error?: string }
  /** One check inside a step (a smoke flow's step), when it is done; `url` is the template, never a filled-in value. */
  | { type: 'check-result'; runId: string; stepId: string; service?: string; name: string; url?: string; status?: number | null; outcome: 'ok' | 'failed' | 'skipped'; detail: string; at: number }
  /** A service's log counts while its logs are watched (baseline, during the rollback, after it), and with the verdict. */
  | { type: 'log-counts'; runId: string; stepId: string; counts: LogCounts; at: number }
  | { type: 'run-finished'; runId: string; success: boolean; at: number; state: string };

export type RollbackEventListener = (event: RollbackEvent) => void;

/** Minimal event emitter the core can use without Node's EventEmitter typing games. */
export class RollbackEvents {
  private readonly listeners = new Set<RollbackEventListener>();
  on(listener: RollbackEventListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  emit(event: RollbackEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A broken subscriber must never stop a rollback.
      }
    }
  }
}
