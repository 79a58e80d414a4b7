// The guard wording, one sentence each, without the editor API so it tests in plain Node.

/** 'trust' implies 'folder': nothing writes or runs outside a trusted repository. */
export type CommandNeeds = 'nothing' | 'folder' | 'trust';

export interface Refusal {
  message: string;
  action?: { label: string; command: string };
}

/** Why a command may not run here, with the one action that fixes it; undefined when it may. */
export function refusalFor(options: { needs: CommandNeeds; what: string }, guards: { hasFolder(): boolean; isTrusted(): boolean }): Refusal | undefined {
  if (options.needs === 'nothing') return undefined;
  if (!guards.hasFolder()) {
    return { message: `Rollback Pilot needs an open folder (your service repository, on this machine) to ${options.what}.`, action: { label: 'Open Folder', command: 'workbench.action.files.openFolder' } };
  }
  if (options.needs === 'trust' && !guards.isTrusted()) {
    return { message: `Rollback Pilot will not ${options.what} in an untrusted workspace: trust this folder first.`, action: { label: 'Manage Workspace Trust', command: 'workbench.trust.manage' } };
  }
  return undefined;
}
