// Revert This Commit and Redeploy, on a commit node of the Releases view: the runbook's
// `git revert <bad-sha>` for a specific bad commit, through the whole flow (decision, preview,
// confirmation, lock, journal) with only that commit reverted and only the services it touched
// rebuilt. A commit the deployed release does not contain is refused before anything is asked.
import { shQuote } from '../../core/plan/shellQuote';
import { CommandArgumentError, type CommandRegistry } from '../commandRegistry';
import { CommandId } from '../contributions';
import { runRollbackFlow, type FlowOutcome, type RollbackFlowDeps } from './rollbackFlow';

/** The commit of a Releases view commit node (`{ kind: 'commit', sha }`). */
export function commitNodeArg(raw: readonly unknown[]): string {
  const node = raw[0] as { kind?: unknown; sha?: unknown } | undefined;
  if (node && node.kind === 'commit' && typeof node.sha === 'string' && /^[0-9a-f]{40,64}$/.test(node.sha)) return node.sha;
  throw new CommandArgumentError('expected a commit of the Releases view (right-click a commit under a release)');
}

export function registerRevertCommitCommand(registry: CommandRegistry, deps: RollbackFlowDeps | undefined): void {
  registry.register(CommandId.revertCommit, { needs: 'trust', what: 'revert the commit', args: commitNodeArg }, async (sha): Promise<FlowOutcome | undefined> => {
    const d = deps!;
    // The deployed release must contain the commit, or git revert has nothing to undo.
    const listing = await d.workspace.releases();
    const deployed = listing.releases.find((r) => r.markers.includes('deployed'));
    const head = deployed?.sha ?? 'HEAD';
    const r = await d.sessions.runnerFor('local').run(`git merge-base --is-ancestor ${shQuote(sha)} ${shQuote(head)}`, { cwd: d.workspace.root.fsPath, timeoutMs: 15_000 });
    if (r.code !== 0) {
      await d.dialogs().error(`${sha.slice(0, 12)} is not part of ${deployed ? `the deployed release ${deployed.name}` : 'HEAD'}: there is nothing of it to revert there. Pick a commit under the deployed release.`);
      return undefined;
    }
    return runRollbackFlow(d, { pickTarget: false, revertCommit: sha, cause: 'code' });
  });
}
