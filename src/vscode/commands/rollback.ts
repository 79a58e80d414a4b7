import * as vscode from 'vscode';
import type { Release } from '../../core/releases';
import { CommandId } from '../contributions';
import { runRollbackFlow, type RollbackFlowDeps } from './rollbackFlow';

/** A release passed by a tree node's context menu. */
function releaseArg(arg: unknown): Release | undefined {
  const node = arg as { kind?: string; release?: Release } | undefined;
  return node?.kind === 'release' ? node.release : undefined;
}

/** Revert Last Deploy (to the last-known-good) and Roll Back to Release… (to a chosen one). */
export function registerRollbackCommands(deps: RollbackFlowDeps | undefined): vscode.Disposable[] {
  const noFolder = () => void vscode.window.showWarningMessage('Rollback Pilot needs an open git repository to roll back.');
  return [
    vscode.commands.registerCommand(CommandId.revertLastDeploy, () => (deps ? runRollbackFlow(deps, { pickTarget: false }) : noFolder())),
    vscode.commands.registerCommand(CommandId.rollBackToRelease, (node?: unknown) =>
      deps ? runRollbackFlow(deps, { pickTarget: true, target: releaseArg(node) }) : noFolder(),
    ),
  ];
}
