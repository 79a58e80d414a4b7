import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { UndoChoice, UndoPath } from '../../../../src/core/database';
import { VsCodeDialogs } from '../../../../src/vscode/dialogs';

const choice: UndoChoice = {
  downs: ['db/migrations/000005_orders_drop_legacy_status.up.sql'],
  downLoses: [],
  restore: 'pg_restore --clean -d shop shop.dump',
  writers: ['api'],
};

const settled = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

/**
 * Answers the real quick pick with workbench commands, as keys would. The keys go once it has
 * had time to open (a quick pick in a running workbench opens in milliseconds), and again,
 * bounded, only if nothing happened, so a "next, then Enter" never lands half before it opens.
 */
async function answer(question: Promise<UndoPath | undefined>, keys: string[]): Promise<UndoPath | undefined> {
  for (let attempt = 0; attempt < 10 && !(await settled(question, attempt === 0 ? 800 : 400)); attempt++) {
    for (const key of keys) await vscode.commands.executeCommand(key);
  }
  return question;
}

describe('the down-or-backup question, in VS Code\'s own quick pick', () => {
  it('Enter takes the down steps, the next item the backup, Escape plans nothing', async () => {
    const dialogs = new VsCodeDialogs();
    assert.equal(await answer(dialogs.chooseDatabaseUndo(choice, 'local'), ['workbench.action.acceptSelectedQuickOpenItem']), 'down');
    assert.equal(await answer(dialogs.chooseDatabaseUndo(choice, 'local'), ['workbench.action.quickOpenSelectNext', 'workbench.action.acceptSelectedQuickOpenItem']), 'restore');
    assert.equal(await answer(dialogs.chooseDatabaseUndo(choice, 'local'), ['workbench.action.closeQuickOpen']), undefined);
  });
});
