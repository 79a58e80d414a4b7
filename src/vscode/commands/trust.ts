import * as vscode from 'vscode';

/**
 * Commands that write or run anything check trust themselves: the manifest already
 * keeps the extension out of untrusted workspaces, but a command can be invoked by
 * another extension or a keybinding, so the check is repeated where it matters.
 */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`Rollback Pilot will not ${what} in an untrusted workspace. Trust this folder first (Workspaces: Manage Workspace Trust).`);
  return false;
}
