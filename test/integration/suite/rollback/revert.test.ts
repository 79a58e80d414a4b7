import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, label, workspaceRoot, healthOf } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';
import type { FlowOutcome } from '../../../../src/vscode/commands/rollbackFlow';

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
    const lockFile = path.join(lockDir, 'rollback.lock');
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
    // The preview is a rendered panel over a read-only document (issue 13): nothing untitled that asks to be saved when closed.
    assert.equal(preview.uri.scheme, 'rollback-pilot');
    assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.isUntitled).map((d) => d.uri.toString()), []);
    assert.ok(outcome.result, `ran (errors: ${dialogs.errors.join(' | ')})`);
    assert.equal(outcome.result.success, true, `state: ${outcome.result.state}; errors: ${dialogs.errors.join(' | ')}`);
    const h = await healthOf(apiPort);
    assert.equal(h.status, 200);
    assert.match(h.body, /"version":"1\.3\.0"/);
    const journal = JSON.parse(fs.readFileSync(path.join(workspaceRoot().fsPath, '.rollback', 'journals', `${plan.id}.json`), 'utf8'));
    assert.equal(journal.status, 'succeeded');
    assert.ok(journal.steps.every((s: { outcome: string }) => s.outcome === 'ok' || s.outcome === 'skipped'), JSON.stringify(journal.steps.map((s: { stepId: string; outcome: string }) => `${s.stepId}=${s.outcome}`)));
    assert.ok(!fs.existsSync(path.join(workspaceRoot().fsPath, '.rollback', 'locks', 'rollback.lock')), 'lock released');
    // The operator's tracked edit is in a named stash, and the final message says how to get it back.
    assert.ok(journal.stash, 'the journal records the stash');
    assert.match(git('stash', 'list'), new RegExp(journal.stash.message));
    assert.match(git('show', `${journal.stash.ref}`, '--', 'README.md'), /Work in progress by the operator\./);
    // The untracked file is not in the way of the revert: it never moves (the stash takes tracked changes only).
    assert.equal(fs.readFileSync(notes, 'utf8'), 'untracked notes\n');
    assert.throws(() => git('rev-parse', '-q', '--verify', `${journal.stash.ref}^3`), 'the stash holds no untracked files');
    assert.ok(dialogs.infos.some((m) => m.includes(journal.stash.message) && /git stash pop/.test(m)), `told how to restore: ${dialogs.infos.join(' | ')}`);
    // The tree now shows the rolled-back-to release as deployed.
    workspace!.invalidate(['releases']);
    const roots = await releases.getChildren();
    const deployed = roots.filter((n) => n.kind === 'release' && n.release.markers.includes('deployed')).map((n) => label(releases.getTreeItem(n)));
    assert.deepEqual(deployed, ['v1.3.0']);
    // The release it left is marked bad, with the rollback's reason, so the next Revert Last Deploy cannot pick it.
    const left = roots.find((n) => n.kind === 'release' && n.release.name === 'v1.4.0');
    assert.ok(left && left.kind === 'release' && left.release.markers.includes('bad'), 'v1.4.0 is marked bad after the rollback');
    assert.match(left.release.badReason ?? '', /rolled back on local to v1\.3\.0/);
    assert.ok(dialogs.infos.some((m) => /Rolled back local to v1\.3\.0/.test(m)));
  });

  it('Unmark Release as Bad undoes the mark a rollback left', async () => {
    const { setDialogs, releases, workspace } = await api();
    workspace!.invalidate(['releases']);
    const node = (await releases.getChildren()).find((n) => n.kind === 'release' && n.release.name === 'v1.4.0');
    assert.ok(node && node.kind === 'release' && node.release.markers.includes('bad'), 'v1.4.0 starts marked bad (by the rollback before)');
    const dialogs = new ScriptedDialogs();
    setDialogs(dialogs);
    await vscode.commands.executeCommand('rollbackPilot.unmarkReleaseBad', node);
    workspace!.invalidate(['releases']);
    const after = (await releases.getChildren()).find((n) => n.kind === 'release' && n.release.name === 'v1.4.0')!;
    assert.ok(after.kind === 'release' && !after.release.markers.includes('bad'), 'no longer bad');
    assert.ok(dialogs.infos.some((m) => /v1\.4\.0 is no longer marked bad/.test(m)), dialogs.infos.join(' | '));
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

  it('a deploy that keeps failing: "Full redeploy" from the failure menu brings every service back on the older release, and the checklist follows', async () => {
    const { setDialogs, workspace } = await api();
    // The operator's rollback.yml for this incident: check out, a single api restart that fails, and a full redeploy.
    const yml = path.join(workspaceRoot().fsPath, 'rollback.yml');
    const original = fs.readFileSync(yml, 'utf8');
    const fullRedeploy = 'sh scripts/build.sh api && sh scripts/build.sh worker && sh scripts/deploy.sh api && sh scripts/deploy.sh worker';
    fs.writeFileSync(yml, original
      .replace('strategy: revert', `strategy: checkout\n    fullRedeploy: ${fullRedeploy}`)
      .replace('deploy: sh scripts/deploy.sh api', 'deploy: echo "the supervisor refuses a single api restart" >&2; exit 1'));
    // As after a save in the editor: the extension re-reads the file when its watcher says so.
    await eventually(async () => ((await workspace!.config()).config.environments[0]?.fullRedeploy === fullRedeploy) || undefined, 'the edited rollback.yml to be read');
    const offered: boolean[] = [];
    const dialogs = new ScriptedDialogs({
      release: (rs) => rs.find((r) => r.name === 'v1.1.0'),
      onFailure: (_step, state) => {
        offered.push(state.canFullRedeploy);
        return state.canFullRedeploy ? { action: 'full-redeploy' } : { action: 'stop' };
      },
    });
    setDialogs(dialogs);
    const outcome = (await vscode.commands.executeCommand('rollbackPilot.rollBackToRelease')) as FlowOutcome;
    assert.ok(outcome.plan, `planned (${outcome.stoppedBecause}; ${dialogs.errors.join(' | ')})`);
    assert.equal(outcome.plan.to.name, 'v1.1.0');
    const preview = vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && d.getText().includes('If a service keeps failing: full redeploy') && d.getText().includes(fullRedeploy));
    assert.ok(preview, 'the preview showed the full redeploy before anything ran');
    assert.equal(outcome.result?.success, true, `${outcome.result?.state}; ${dialogs.errors.join(' | ')}`);
    assert.deepEqual(offered, [true]);
    assert.ok(dialogs.asked.includes('failure:deploy-api'), dialogs.asked.join(', '));
    assert.match((await healthOf(apiPort)).body, /"version":"1\.1\.0"/);
    const journal = JSON.parse(fs.readFileSync(path.join(workspaceRoot().fsPath, '.rollback', 'journals', `${outcome.plan.id}.json`), 'utf8'));
    const ids: string[] = journal.steps.map((x: { stepId: string }) => x.stepId);
    assert.ok(ids.includes('full-redeploy') && !ids.includes('deploy-api'), ids.join(', '));
    // The checklist (saved in the journal) lists the full redeploy and no longer the replaced deploy.
    const checklist = JSON.stringify(journal.checklist);
    assert.ok(checklist.includes('"step:full-redeploy"'), 'the checklist has the full redeploy');
    assert.ok(!checklist.includes('"step:deploy-api"'), 'the replaced deploy left the checklist');
  });
});
