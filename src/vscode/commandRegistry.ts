// The one place commands are registered: the guards (an open folder, workspace trust), the
// argument parsing and the failure message exist once, not per command file. A command can be
// invoked from the palette, a tree node, a link in a message, a keybinding or another
// extension, so every route passes the same checks.
import * as vscode from 'vscode';
import type { CommandId } from './contributions';
import { refusalFor, type CommandNeeds } from './commandGuards';

export type { CommandNeeds };

/** Thrown by an argument parser: the message says what was passed and what was expected. */
export class CommandArgumentError extends Error {}

export interface CommandOptions<A> {
  needs: CommandNeeds;
  /** Completes "Rollback Pilot needs an open folder to …" and "… failed": "run a rollback". */
  what: string;
  /** From what VS Code passes (nothing from the palette, a tree node, a URI, a string from a link) to typed arguments. */
  args?: (raw: readonly unknown[]) => A;
}

export interface CommandGuards {
  /** A folder the extension can work in (a local `file:` folder whose services were built). */
  hasFolder(): boolean;
  isTrusted(): boolean;
  log(line: string): void;
}

export const vscodeGuards = (hasFolder: () => boolean, log: (line: string) => void): CommandGuards => ({
  hasFolder,
  isTrusted: () => vscode.workspace.isTrusted,
  log,
});

export class CommandRegistry implements vscode.Disposable {
  private readonly registered = new Map<string, vscode.Disposable>();

  constructor(private readonly guards: CommandGuards) {}

  register<A = undefined>(id: CommandId, options: CommandOptions<A>, handler: (args: A) => unknown): void {
    if (this.registered.has(id)) throw new Error(`${id} is registered twice`);
    this.registered.set(id, vscode.commands.registerCommand(id, (...raw: unknown[]) => this.invoke(id, options, handler, raw)));
  }

  /** The ids registered so far (the contributions check compares them with package.json). */
  ids(): string[] {
    return [...this.registered.keys()];
  }

  private async invoke<A>(id: string, options: CommandOptions<A>, handler: (args: A) => unknown, raw: unknown[]): Promise<unknown> {
    const refusal = refusalFor(options, this.guards);
    if (refusal) {
      this.guards.log(`${id}: not run: ${refusal.message}`);
      void vscode.window.showWarningMessage(refusal.message, ...(refusal.action ? [refusal.action.label] : [])).then((pick) => {
        if (pick && refusal.action) void vscode.commands.executeCommand(refusal.action.command);
      });
      return undefined;
    }
    let args: A;
    try {
      args = options.args ? options.args(raw) : (undefined as A);
    } catch (e) {
      if (!(e instanceof CommandArgumentError)) throw e;
      this.guards.log(`${id}: refused its arguments: ${e.message}`);
      void vscode.window.showErrorMessage(`Rollback Pilot could not ${options.what}: ${e.message}`);
      return undefined;
    }
    try {
      return await handler(args);
    } catch (e) {
      // One message, with the cause, rather than VS Code's "Running the contributed command … failed".
      const message = e instanceof Error ? e.message : String(e);
      this.guards.log(`${id} failed: ${e instanceof Error && e.stack ? e.stack : message}`);
      void vscode.window.showErrorMessage(`Rollback Pilot could not ${options.what}: ${message}`);
      return undefined;
    }
  }

  dispose(): void {
    for (const d of this.registered.values()) d.dispose();
    this.registered.clear();
  }
}
