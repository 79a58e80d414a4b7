import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, workspaceRoot } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';
import type { Decision } from '../../../../src/vscode/dialogs';
import type { Cause, ConfigRemedy } from '../../../../src/core/decision/tree';
import type { FlowOutcome } from '../../../../src/vscode/commands/rollbackFlow';

// Runbook 000's brief investigation inside VS Code, the extension side of the checklist page
// (the UI suite ui-verification clicks the page itself): "Investigate first" opens the page
// beside the editor with decision.investigateFor's limit; when the operator closes the page,
// the countdown goes on in the status bar and the notification, and at zero the decision is
// asked again (here: roll forward, so nothing is planned). Then a run after an investigation:
// its journal and its post-mortem file say when the decision was asked, the error spike it
// offered (the api's log, read with its logs: command), the investigation and how it ended,
// and the decision with its cause. That run restarts the services on the release they run
// (the configuration's "restart"), so the later files of the group still find v1.4.0 deployed.

/** The tab of the investigation's page (a checklist webview before any run), if one is open. */
function investigationTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /rollbackPilot\.checklist/.test(t.input.viewType) && /^Rollback: (investigating|time's up)$/.test(t.label));
}

class Decisions extends ScriptedDialogs {
  readonly decidedAt: number[] = [];
  constructor(private readonly decisions: Decision[], answers: ConstructorParameters<typeof ScriptedDialogs>[0] = {}) {
    super(answers);
  }
  override async decide(triggers?: Promise<string[]>): Promise<Decision> {
    this.asked.push('decide');
    this.decidedAt.push(Date.now());
    // As the quick pick does: the error spikes that arrive within a moment are shown with the question.
    await Promise.race([triggers, new Promise((r) => setTimeout(r, 5_000))]);
    return this.decisions.shift() ?? 'roll-forward';
  }
}

/** The configuration's restart: nothing is restored, the services are redeployed on what they run. */
class RestartDecisions extends Decisions {
  async chooseCause(): Promise<Cause> {
    this.asked.push('cause');
    return 'configuration';
  }
  async chooseConfigRemedy(): Promise<ConfigRemedy> {
    this.asked.push('remedy');
    return 'restart';
  }
}

/** An ISO time `secondsAgo` before now, to the second, as the api's log stamps its lines. */
const stamp = (secondsAgo: number): string => `${new Date(Date.now() - secondsAgo * 1000).toISOString().slice(0, 19)}Z`;

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

  it('a run after an investigation: its journal and its post-mortem file have the question, the error spike, the investigation and the decision', async function () {
    this.timeout(90_000);
    const root = workspaceRoot().fsPath;
    const { setDialogs } = await api();
    // The api's log: 47 errors in the last minutes, 3 in the hour before; read with {since} as docker compose logs would.
    fs.mkdirSync(path.join(root, 'log'), { recursive: true });
    const lines = [...Array.from({ length: 3 }, (_, i) => `${stamp(40 * 60)} ERROR old ${i}`), ...Array.from({ length: 47 }, (_, i) => `${stamp(120)} ERROR fast-path cache not warmed ${i}`)];
    fs.writeFileSync(path.join(root, 'log/api.log'), `${lines.join('\n')}\n`);
    fs.writeFileSync(path.join(root, 'log/since.sh'), `awk -v since="$1" '$1 >= since' log/api.log\n`);
    const withInvestigation = fs.readFileSync(yml(), 'utf8');
    fs.writeFileSync(yml(), withInvestigation.replace('    paths: ["apps/api/**"]\n', '    paths: ["apps/api/**"]\n    logs: { command: "sh log/since.sh {since}", watch: 1s }\n'));
    await vscode.commands.executeCommand('rollbackPilot.refresh');
    // v1.4.0's api stays bad through a restart: its health check is skipped, with the reason.
    const dialogs = new RestartDecisions(['investigate', 'roll-back'], { onFailure: () => ({ action: 'skip', reason: 'the restart keeps v1.4.0; the rollback comes next' }) });
    setDialogs(dialogs);
    const flow = Promise.resolve(vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as Promise<FlowOutcome>;
    // The operator closes the page: at zero the decision is asked again, and this time it is "roll back".
    await vscode.window.tabGroups.close(await eventually(() => investigationTab(), 'the investigation page to open', 15_000));
    const outcome = await flow;
    assert.ok(outcome.plan && outcome.result, `ran (stopped because: ${outcome.stoppedBecause}; errors: ${dialogs.errors.join(' | ')})`);
    assert.deepEqual(dialogs.asked.slice(0, 4), ['decide', 'decide', 'cause', 'remedy']);
    const journal = JSON.parse(fs.readFileSync(path.join(root, '.rollback/journals', `${outcome.plan.id}.json`), 'utf8'));
    const d = journal.decision;
    assert.ok(d, `the journal has the decision: ${Object.keys(journal).join(', ')}`);
    const spike = 'api: 47 errors in the last 5 minutes, 3 in the hour before';
    assert.deepEqual(d.asked.map((a: { triggers: string[] }) => a.triggers), [[spike], [spike]], 'the spike was offered with both questions');
    assert.equal(d.investigations.length, 1);
    const inv = d.investigations[0];
    assert.deepEqual([inv.lengthMs, inv.ended, inv.timeUp, inv.triggers], [4_000, 'asked-again', true, [spike]]);
    assert.ok(Date.parse(inv.endedAt) - Date.parse(inv.startedAt) >= 3_500, `${inv.startedAt} → ${inv.endedAt}`);
    assert.deepEqual([d.cause, d.remedy, d.decidedAt], ['configuration', 'restart', journal.decidedAt]);

    await vscode.commands.executeCommand('rollbackPilot.startPostmortem', outcome.plan.id);
    const dir = path.join(root, 'docs/postmortems');
    const file = await eventually(() => fs.readdirSync(dir).find((f) => f.endsWith('.md')), 'the post-mortem file', 10_000);
    const pm = fs.readFileSync(path.join(dir, file), 'utf8');
    const at = (iso: string) => iso.slice(11, 19);
    for (const row of [
      `| ${at(d.asked[0].at)} | Triggers shown: ${spike} |`,
      `| ${at(inv.startedAt)} | Brief investigation started (4 s) |`,
      `| ${at(inv.endedAt)} | Time's up: the decision asked again |`,
      `| ${at(d.decidedAt)} | Decided: roll back — cause configuration (restart) |`,
    ]) assert.ok(pm.includes(row), `the post-mortem has "${row}":\n${pm}`);
    assert.match(pm, /^- \*\*Decision:\*\* roll back after 1 brief investigation \(the last ran to time's up\); cause configuration \(restart\)$/m);

    // What the later files of the group start from: the post-mortem and the log gone, the editors closed.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.join(root, 'log'), { recursive: true, force: true });
  });
});
