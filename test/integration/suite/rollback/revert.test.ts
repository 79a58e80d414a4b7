import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, label, workspaceRoot, healthOf } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';
import type { FlowOutcome } from '../../../../src/commands/rollbackFlow';

const apiPort = Number(process.env.ROLLBACK_PILOT_API_PORT);



function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: workspaceRoot().fsPath, encoding: 'utf8' }).trim();
}

describe('Rollback: Revert Last Deploy inside VS Code (fixture shop, services running locally)', () => {
  it('starts from the bad release: api /health answers 500', async () => {
    const h = await healthOf(apiPort);
    assert.equal(h.status, 500);
    assert.match(h.body, /1\.4\.0/);
  });

  it('does nothing when the plan is not confirmed', async () => {
    const { setDialogs } = await api();
    const before = git('rev-parse', 'HEAD');
    const dialogs = new ScriptedDialogs({ confirmPlan: false });
    setDialogs(dialogs);
    const outcome = (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome;
    assert.equal(outcome.stoppedBecause, 'not confirmed');
    assert.equal(git('rev-parse', 'HEAD'), before);
    assert.equal((await healthOf(apiPort)).status, 500);
    assert.ok(dialogs.infos.some((m) => /Nothing ran/.test(m)));
  });

  it('a roll-forward decision ends the flow before any plan', async () => {
    const { setDialogs } = await api();
    const dialogs = new ScriptedDialogs({ decision: 'roll-forward' });
    setDialogs(dialogs);
    const outcome = (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome;
    assert.equal(outcome.stoppedBecause, 'roll forward chosen');
    assert.deepEqual(dialogs.asked, ['decide']);
  });

  it('refuses while another operator holds the lock, naming them', async () => {
    const { setDialogs } = await api();
    const lockDir = path.join(workspaceRoot().fsPath, '.rollback', 'locks');
    fs.mkdirSync(lockDir, { recursive: true });
    const lockFile = path.join(lockDir, 'local.lock');
    fs.writeFileSync(lockFile, JSON.stringify({ who: 'sam@laptop', since: '2026-11-22T01:00:00Z', runId: 'rb-other', environment: 'local', where: 'local' }));
    const before = git('rev-parse', 'HEAD');
    try {
      const dialogs = new ScriptedDialogs();
      setDialogs(dialogs);
      const outcome = (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome;
      assert.equal(outcome.result, undefined);
      assert.ok(dialogs.errors.some((m) => /sam@laptop/.test(m) && /Release Lock/.test(m)), `errors: ${dialogs.errors.join(' | ')}`);
      assert.equal(git('rev-parse', 'HEAD'), before, 'nothing ran');
    } finally {
      fs.rmSync(lockFile, { force: true });
    }
  });

  it('plans, previews, runs and verifies: api /health reports 1.3.0, journal complete, lock released', async () => {
    const { setDialogs, workspace, releases } = await api();
    // Uncommitted work in the repo must survive the rollback.
    const notes = path.join(workspaceRoot().fsPath, 'NOTES.md');
    fs.appendFileSync(path.join(workspaceRoot().fsPath, 'README.md'), '\nWork in progress by the operator.\n');
    fs.writeFileSync(notes, 'untracked notes\n');
    const dialogs = new ScriptedDialogs();
    setDialogs(dialogs);
    const outcome = (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome;
    assert.ok(outcome.plan, `planned (stopped because: ${outcome.stoppedBecause}; errors: ${dialogs.errors.join(' | ')})`);
    const plan = outcome.plan;
    assert.equal(plan.from.name, 'v1.4.0');
    assert.equal(plan.to.name, 'v1.3.0');
    assert.deepEqual(plan.affectedServices, ['api'], 'only the api changed in v1.4.0');
    const kinds = plan.steps.map((s) => `${s.kind}${s.service ? `:${s.service}` : ''}`);
    assert.ok(kinds.indexOf('build:api') < kinds.indexOf('deploy:api'), `build before deploy: ${kinds.join(', ')}`);
    assert.ok(!kinds.includes('build:worker'), 'the worker is not rebuilt');
    // The preview was opened before the confirmation: it lists the exact commands.
    const preview = vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && d.getText().includes(plan.to.name) && /git revert/.test(d.getText()));
    assert.ok(preview, 'the plan preview document was shown');
    assert.ok(outcome.result, `ran (errors: ${dialogs.errors.join(' | ')})`);
    assert.equal(outcome.result.success, true, `state: ${outcome.result.state}; errors: ${dialogs.errors.join(' | ')}`);
    const h = await healthOf(apiPort);
    assert.equal(h.status, 200);
    assert.match(h.body, /"version":"1\.3\.0"/);
    const journal = JSON.parse(fs.readFileSync(path.join(workspaceRoot().fsPath, '.rollback', 'journals', `${plan.id}.json`), 'utf8'));
    assert.equal(journal.status, 'succeeded');
    assert.ok(journal.steps.every((s: { outcome: string }) => s.outcome === 'ok' || s.outcome === 'skipped'), JSON.stringify(journal.steps.map((s: { stepId: string; outcome: string }) => `${s.stepId}=${s.outcome}`)));
    assert.ok(!fs.existsSync(path.join(workspaceRoot().fsPath, '.rollback', 'locks', 'local.lock')), 'lock released');
    // The operator's work is still there, or stashed under a name the journal gives.
    // The operator's work is in a named stash (tracked edit and untracked file alike), and the final message says how to get it back.
    assert.ok(journal.stash, 'the journal records the stash');
    assert.match(git('stash', 'list'), new RegExp(journal.stash.message));
    assert.match(git('show', `${journal.stash.ref}`, '--', 'README.md'), /Work in progress by the operator\./);
    assert.equal(git('show', `${journal.stash.ref}^3:NOTES.md`), 'untracked notes');
    assert.ok(!fs.existsSync(notes) || fs.readFileSync(notes, 'utf8') === 'untracked notes\n');
    assert.ok(dialogs.infos.some((m) => m.includes(journal.stash.message) && /git stash pop/.test(m)), `told how to restore: ${dialogs.infos.join(' | ')}`);
    // The tree now shows the rolled-back-to release as deployed.
    workspace!.invalidate(['releases']);
    const roots = await releases.getChildren();
    const deployed = roots.filter((n) => n.kind === 'release' && n.release.markers.includes('deployed')).map((n) => label(releases.getTreeItem(n)));
    assert.deepEqual(deployed, ['v1.3.0']);
    assert.ok(dialogs.infos.some((m) => /Rolled back local to v1\.3\.0/.test(m)));
  });

  it('Mark Release as Bad from the tree keeps the release from being a target', async () => {
    const { setDialogs, releases, workspace } = await api();
    const node = (await releases.getChildren()).find((n) => n.kind === 'release' && n.release.name === 'v1.2.0')!;
    setDialogs(new ScriptedDialogs({ reason: 'orders lose their region' }));
    await vscode.commands.executeCommand('rollbackPilot.markReleaseBad', node);
    workspace!.invalidate(['releases']);
    const after = (await releases.getChildren()).find((n) => n.kind === 'release' && n.release.name === 'v1.2.0')!;
    assert.ok(after.kind === 'release' && after.release.markers.includes('bad'));
    assert.match(String(releases.getTreeItem(after).description), /bad/);
  });

  it('Record Pre-deploy Snapshot records the running SHA and the baseline health', async () => {
    const { setDialogs, workspace } = await api();
    const dialogs = new ScriptedDialogs();
    setDialogs(dialogs);
    await vscode.commands.executeCommand('rollbackPilot.recordSnapshot');
    const head = git('rev-parse', 'HEAD');
    const records = JSON.parse(fs.readFileSync(path.join(workspaceRoot().fsPath, '.rollback', 'records.json'), 'utf8'));
    assert.equal(records.snapshotSha, head);
    assert.ok(dialogs.infos.some((m) => /Snapshot of local/.test(m) && /api healthy/.test(m)), dialogs.infos.join(' | ') + dialogs.errors.join(' | '));
    workspace!.invalidate(['releases']);
  });
});
