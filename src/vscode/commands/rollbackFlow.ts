// The rollback flow lives in the application layer (src/app/rollbackFlow.ts); this is its
// VS Code entry: the trust check, then the flow asked and shown through the dialogs in force.
import { runRollbackFlow as runFlow, type FlowOptions, type FlowOutcome, type RollbackFlowDeps as AppFlowDeps } from '../../app/rollbackFlow';
import type { RollbackDialogs } from '../dialogs';
import { vscodeUi } from '../presenter';
import type { Previews } from '../preview/previews';
import { requireTrust } from './trust';

export type { FlowOptions, FlowOutcome } from '../../app/rollbackFlow';

export interface RollbackFlowDeps extends AppFlowDeps {
  dialogs: () => RollbackDialogs;
  previews: Previews;
}

/** Decide → choose target → plan → preview → confirm → run (src/app/rollbackFlow.ts), in this window. */
export async function runRollbackFlow(deps: RollbackFlowDeps, options: FlowOptions): Promise<FlowOutcome> {
  if (!requireTrust('run a rollback')) return { stoppedBecause: 'untrusted workspace' };
  return runFlow(deps, vscodeUi(deps.dialogs(), deps.sessions, deps.previews), options);
}
