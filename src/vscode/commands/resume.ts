import type { FleetFlowDeps } from '../../app/fleetFlow';
import { resumeFlow } from '../../app/resumeFlow';
import type { AfterRun } from '../../app/runWithProgress';
import { runArg } from '../commandArgs';
import type { CommandRegistry } from '../commandRegistry';
import type { RollbackDialogs } from '../dialogs';
import type { RollbackSessions } from '../rollbackSessions';
import { CommandId } from '../contributions';
import { vscodeUi } from '../presenter';
import type { Previews } from '../preview/previews';

export { journalOrigin } from '../../app/resumeFlow';

/** Resume Rollback: continues an interrupted run from its journal (src/app/resumeFlow.ts); finished steps are not run again. */
export function registerResumeCommand(registry: CommandRegistry, sessions: RollbackSessions | undefined, dialogs: () => RollbackDialogs, previews: Previews, fleet?: FleetFlowDeps, afterRun?: AfterRun): void {
  registry.register(CommandId.resumeRollback, { needs: 'trust', what: 'resume a rollback', args: runArg }, async ({ runId }) => {
    // A fleet journal resumes through Ansible: continue the rollout, roll the failed hosts forward again, or stop.
    await resumeFlow(sessions!, vscodeUi(dialogs(), sessions!, previews), runId, fleet, afterRun);
  });
}
