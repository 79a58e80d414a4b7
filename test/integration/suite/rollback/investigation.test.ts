import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, workspaceRoot } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';
import type { Decision } from '../../../../src/vscode/dialogs';
import type { FlowOutcome } from '../../../../src/vscode/commands/rollbackFlow';

// Runbook 000's brief investigation inside VS Code, the extension side of the checklist page
// (the UI suite ui-verification clicks the page itself): "Investigate first" opens the page
// beside the editor with decision.investigateFor's limit; when the operator closes the page,
// the countdown goes on in the status bar and the notification, and at zero the decision is
// asked again (here: roll forward, so nothing is planned).

/** The tab of the investigation's page (a checklist webview before any run), if one is open. */
function investigationTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /rollbackPilot\.checklist/.test(t.input.viewType) && /^Rollback: (investigating|time's up)$/.test(t.label));
}

class Decisions extends ScriptedDialogs {
  readonly decidedAt: number[] = [];
  constructor(private readonly decisions: Decision[]) {
    super();
  }
  override async decide(): Promise<Decision> {
    this.asked.push('decide');
    this.decidedAt.push(Date.now());
    return this.decisions.shift() ?? 'roll-forward';
  }
}

describe('Brief investigation: the checklist page with the countdown', () => {
  const yml = () => path.join(workspaceRoot().fsPath, 'rollback.yml');
  let original = '';
  before(async () => {
    original = fs.readFileSync(yml(), 'utf8');
    fs.writeFileSync(yml(), `${original}decision: { investigateFor: 4s }\n`);
    await vscode.commands.executeCommand('rollbackPilot.refresh');
  });
  after(async () => {
    fs.writeFileSync(yml(), original);
    await vscode.commands.executeCommand('rollbackPilot.refresh');
  });

  it('the page opens with the limit; closed by the operator, the decision is asked again at zero', async function () {
    this.timeout(30_000);
    const { setDialogs } = await api();
    const dialogs = new Decisions(['investigate', 'roll-forward']);
    setDialogs(dialogs);
    const started = Date.now();
    const flow = Promise.resolve(vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as Promise<FlowOutcome>;
    const tab = await eventually(() => investigationTab(), 'the investigation page to open', 10_000);
    assert.equal(tab.label, 'Rollback: investigating');
    assert.deepEqual(dialogs.asked, ['decide'], 'asked once so far: the countdown runs');
    await vscode.window.tabGroups.close(tab);
    const outcome = await flow;
    assert.equal(outcome.stoppedBecause, 'roll forward chosen');
    assert.deepEqual(dialogs.asked, ['decide', 'decide']);
    const waited = dialogs.decidedAt[1]! - started;
    assert.ok(waited >= 3_500, `asked again after ${waited} ms: the page closed does not end the 4 s investigation`);
    assert.ok(waited < 15_000, `asked again only after ${waited} ms`);
    assert.equal(investigationTab(), undefined, 'no page left behind');
  });

  it('at zero with the page open nothing asks over it (the page says time is up); closing it then asks the decision again', async function () {
    this.timeout(30_000);
    const { setDialogs } = await api();
    const dialogs = new Decisions(['investigate', 'roll-forward']);
    setDialogs(dialogs);
    const flow = Promise.resolve(vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as Promise<FlowOutcome>;
    await eventually(() => investigationTab(), 'the investigation page to open', 10_000);
    // The page left open at zero waits for the operator: it is the notification's Cancel ("ask me again") or the page that ends it.
    await new Promise((r) => setTimeout(r, 5_000));
    assert.deepEqual(dialogs.asked, ['decide'], 'at zero with the page open, nothing asks over it');
    assert.match(investigationTab()?.label ?? '', /^Rollback: time's up$/);
    await vscode.window.tabGroups.close(investigationTab()!);
    assert.equal((await flow).stoppedBecause, 'roll forward chosen');
    assert.deepEqual(dialogs.asked, ['decide', 'decide']);
  });
});
