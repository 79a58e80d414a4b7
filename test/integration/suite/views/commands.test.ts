import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from '../helpers';

describe('contributed commands', () => {
  it('every contributed command is registered in the running extension host, with category Rollback', async () => {
    await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: Array<{ command: string; category: string }> = ext.packageJSON.contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepEqual(missing, []);
    assert.ok(contributed.every((c) => c.category === 'Rollback'));
  });

  it('every registered rollbackPilot.* command is contributed', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = new Set(ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command));
    const ours = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('rollbackPilot.') && !/\.(focus|resetViewLocation|toggleVisibility|removeView|open)$/.test(c));
    const extra = ours.filter((c) => !contributed.has(c));
    assert.deepEqual(extra, []);
  });
});
