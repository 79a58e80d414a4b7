import * as vscode from 'vscode';
import { TargetRecordsError, type RecordsStore } from '../../core/releases/recordsStore';
import type { HttpPort } from '../../core/ports';
import { recordSnapshot } from '../../app/snapshot';
import type { RollbackDialogs } from '../dialogs';
import { operatorName, type RollbackSessions } from '../rollbackSessions';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { chooseEnvironment } from '../../app/environments';
import { CommandId } from '../contributions';
import { releaseNode } from '../commandArgs';
import type { CommandRegistry } from '../commandRegistry';

/**
 * Record Pre-deploy Snapshot and Mark / Unmark Release as Bad: what the next rollback needs to
 * know. The registry refuses them without a folder or trust, so the services are there.
 */
export function registerRecordCommands(
  registry: CommandRegistry,
  workspace: RollbackWorkspace | undefined,
  sessions: RollbackSessions | undefined,
  records: RecordsStore | undefined,
  dialogs: () => RollbackDialogs,
  /** The health probes' HTTP client, built in extension.ts. */
  http: HttpPort,
): void {
  if (!workspace || !sessions || !records) return registerUnavailable(registry);
  registry.register(CommandId.recordSnapshot, { needs: 'trust', what: 'record a snapshot' }, async () => {
    const chosen = await chooseEnvironment(workspace, dialogs());
    if (!chosen) return;
    try {
      const { message } = await recordSnapshot({ workspace, sessions, records, http }, chosen, (title, work) => Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, work)));
      dialogs().info(message);
    } catch (e) {
      await dialogs().error(`No snapshot recorded: ${(e as Error).message}`);
    }
  });
  registry.register(CommandId.markReleaseBad, { needs: 'trust', what: 'mark a release as bad', args: releaseNode }, async (node) => {
    let release = node;
    if (!release) {
      const listing = await workspace.releases();
      release = await dialogs().pickRelease(listing.releases.filter((r) => !r.markers.includes('bad')), 'Mark which release as bad?');
    }
    if (!release) return;
    const reason = await dialogs().reason(`${release.name} is broken`);
    if (!reason) return;
    const team = await teamWrite(records, () => records.markBad({ sha: release!.sha, reason, at: new Date().toISOString(), by: operatorName() }), dialogs);
    workspace.invalidate(['releases']);
    dialogs().info(`${release.name} is marked bad: it will never be chosen as a rollback target.${team}`);
  });
  registry.register(CommandId.unmarkReleaseBad, { needs: 'trust', what: 'unmark a release', args: releaseNode }, async (node) => {
    let release = node;
    if (!release) {
      const listing = await workspace.releases();
      const bad = listing.releases.filter((r) => r.markers.includes('bad'));
      if (bad.length === 0) {
        dialogs().info('No release is marked bad.');
        return;
      }
      release = await dialogs().pickRelease(bad, 'Unmark which release? It can then be chosen as a rollback target again.');
    }
    if (!release) return;
    const team = await teamWrite(records, () => records.unmarkBad(release!.sha), dialogs);
    workspace.invalidate(['releases']);
    dialogs().info(`${release.name} is no longer marked bad${release.badReason ? ` (it was: ${release.badReason})` : ''}.${team}`);
  });
}

/** Without a folder the registry's guard answers these (it asks to open one); registered so the palette entries exist. */
function registerUnavailable(registry: CommandRegistry): void {
  for (const id of [CommandId.recordSnapshot, CommandId.markReleaseBad, CommandId.unmarkReleaseBad]) registry.register(id, { needs: 'trust', what: 'change the release records' }, () => undefined);
}

/**
 * A change to the records, here and in the team's copy on the attached target. The local
 * change is kept when the target's write fails (the user is told why); the sentence returned
 * says where the change went.
 */
async function teamWrite(records: RecordsStore, change: () => Promise<unknown>, dialogs: () => RollbackDialogs): Promise<string> {
  try {
    await change();
  } catch (e) {
    if (!(e instanceof TargetRecordsError)) throw e;
    await dialogs().error(`${e.message}. The other operators do not see this change until it is written there (Refresh, or plan a rollback of ${records.target?.environment ?? 'the environment'}, then do it again).`);
    return ' (on this machine only)';
  }
  const t = records.target;
  // Without an attached target (only local environments, or none planned or refreshed yet) it stays on this machine, as before.
  return t ? ` Recorded for the team in ${t.location}.` : '';
}
