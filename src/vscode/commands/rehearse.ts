// Rollback: Rehearse Database Steps, from the palette and the Migrations view's title: the
// plan Revert Last Deploy would make (deployed → last-known-good), its mitigations and down
// steps run on a scratch copy of the environment's schema (src/app/rehearsal.ts), the report
// shown beside. Nothing runs on the environment; "Rehearse first" in the plan's confirmation
// is the same rehearsal of the plan about to run.
import * as vscode from 'vscode';
import { hasRehearsableSteps, type RehearsalFlow } from '../../app/rehearsal';
import { planRollback, refuseConfigErrors } from '../../app/rollbackFlow';
import { rehearsalRefusal, renderRehearsal } from '../../core/rehearsal/report';
import type { CommandRegistry } from '../commandRegistry';
import { CommandId } from '../contributions';
import { vscodeUi } from '../presenter';
import type { RollbackFlowDeps } from './rollbackFlow';

export function registerRehearseCommand(registry: CommandRegistry, deps: RollbackFlowDeps | undefined, rehearsal: RehearsalFlow | undefined): void {
  registry.register(CommandId.rehearseDatabaseSteps, { needs: 'trust', what: 'rehearse the database steps' }, async () => {
    // Built with the folder's services, so present whenever the guard lets the command through.
    const d = deps!;
    const r = rehearsal!;
    const ui = vscodeUi(d.dialogs(), d.sessions, d.previews);
    if (await refuseConfigErrors(d.workspace, ui.presenter)) return;
    const planned = await planRollback(d, ui, 'rehearsal of the database steps (nothing runs on the environment)', { pickTarget: false });
    if ('stoppedBecause' in planned) return;
    const plan = planned.previewed.plan;
    if (!hasRehearsableSteps(plan)) {
      ui.presenter.info(`Rolling ${plan.environment} back from ${plan.from.name} to ${plan.to.name} has no mitigation or down step: nothing to rehearse.`);
      return;
    }
    let report;
    try {
      report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Rehearsing the database steps of ${plan.environment} (${plan.from.name} → ${plan.to.name})` }, (progress) =>
        r.rehearse(plan, (line) => progress.report({ message: r.redact(line) })),
      );
    } catch (e) {
      await ui.presenter.error(r.redact(`The rehearsal did not run: ${(e as Error).message}`));
      return;
    }
    await r.show(r.redact(renderRehearsal(report)));
    const refusal = rehearsalRefusal(report);
    if (refusal) await ui.presenter.error(r.redact(refusal.replace(/^Nothing ran on [^:]+: /, `Rehearsal of ${plan.environment}: `)));
    else ui.presenter.info(`The rehearsal passed: ${report.units.filter((u) => u.outcome === 'ok').length} database step(s) of ${plan.from.name} → ${plan.to.name} ran on a copy of ${plan.environment}'s schema without an error.`);
  });
}
