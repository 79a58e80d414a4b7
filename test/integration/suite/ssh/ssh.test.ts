import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, label, workspaceRoot, healthOf } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';
import type { FlowOutcome } from '../../../../src/vscode/commands/rollbackFlow';

const remote = process.env.ROLLBACK_PILOT_REMOTE!;
const apiPort = Number(process.env.ROLLBACK_PILOT_API_PORT);
const fingerprints: string[] = JSON.parse(process.env.ROLLBACK_PILOT_HOSTKEY_FPS ?? '[]');
const knownHosts = process.env.ROLLBACK_PILOT_KNOWN_HOSTS!;

const health = async () => { const h = await healthOf(apiPort); return `${h.status} ${h.body}`; };
/** The Releases view's line of the environment "local" (on shop-prod in this group), as a person reads it. */
async function environmentLine(): Promise<string | undefined> {
  const { releases } = await api();
  return (await releases.getChildren()).filter((n) => n.kind === 'note').map((n) => label(releases.getTreeItem(n))).find((x) => x.startsWith('local: ') || x.startsWith('local on '));
}
const headOf = (dir: string) => execFileSync('git', ['-c', `safe.directory=${dir}`, '-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();

describe('a production host over SSH (real sshd, ssh config alias "shop-prod")', () => {
  it('the first connection shows the host key fingerprint as ssh-keygen prints it, and asks', async () => {
    const { setDialogs } = await api();
    const dialogs = new ScriptedDialogs({ hostKey: 'accept-and-save' });
    setDialogs(dialogs);
    await vscode.commands.executeCommand('rollbackPilot.recordSnapshot');
    const asked = dialogs.asked.filter((a) => a.startsWith('hostkey:')).map((a) => a.slice('hostkey:'.length));
    assert.equal(asked.length, 1, `asked once: ${dialogs.asked.join(', ')}`);
    assert.ok(fingerprints.includes(asked[0]), `${asked[0]} is one of the server's keys (${fingerprints.join(', ')})`);
    assert.match(fs.readFileSync(knownHosts, 'utf8'), /^\[127\.0\.0\.1\]:\d+ (ssh-ed25519|ecdsa-sha2-nistp256) /m, 'saved to known_hosts');
    assert.ok(dialogs.infos.some((m) => /Snapshot of local/.test(m) && /shop-prod/.test(m)), `${dialogs.infos.join(' | ')} ${dialogs.errors.join(' | ')}`);
  });

  it('Revert Last Deploy runs on the host: the host checkout is reverted, the api reports 1.3.0, the operator\'s checkout is untouched; the Releases view says so without a Refresh', async () => {
    const { setDialogs } = await api();
    const localHead = headOf(workspaceRoot().fsPath);
    const remoteHead = headOf(remote);
    assert.match(await health(), /^500 /);
    const dialogs = new ScriptedDialogs();
    setDialogs(dialogs);
    // The view's line before the run, read once by a Refresh: the host runs the bad release.
    await vscode.commands.executeCommand('rollbackPilot.refresh');
    await eventually(async () => (/^local: v1\.4\.0 on shop-prod /.test((await environmentLine()) ?? '') ? true : undefined), 'the line at v1.4.0 before the run');
    const outcome = (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome;
    assert.ok(outcome.plan, `planned: ${outcome.stoppedBecause} ${dialogs.errors.join(' | ')}`);
    assert.equal(outcome.plan.where, 'shop-prod');
    assert.ok(outcome.plan.steps.flatMap((s) => s.commands).every((c) => c.where === 'shop-prod' || c.where === 'local'));
    assert.equal(outcome.result?.success, true, `${outcome.result?.state} ${dialogs.errors.join(' | ')}`);
    assert.match(await health(), /^200 .*1\.3\.0/);
    assert.notEqual(headOf(remote), remoteHead, 'the host checkout got the revert commit');
    assert.equal(headOf(workspaceRoot().fsPath), localHead, "the operator's checkout is untouched");
    assert.ok(!dialogs.asked.some((a) => a.startsWith('hostkey:')), 'the saved key is known now: no second question');
    // No Refresh: the run's end read the host again (the revert commit has v1.3.0's tree).
    const after = await eventually(async () => {
      const l = await environmentLine();
      if (!l?.startsWith('local: v1.3.0 on shop-prod ')) throw new Error(`the line says: ${l ?? 'nothing'}`);
      return l;
    }, 'the line at v1.3.0 after the run, without a Refresh', 20_000);
    assert.match(after, new RegExp(`^local: v1\\.3\\.0 on shop-prod \\(.*\\) at ${headOf(remote).slice(0, 12)}, a commit with v1\\.3\\.0's tree, read \\d+ s ago$`));
  });

  it('a changed host key is refused before anything is sent, with no way to accept it', async () => {
    const { setDialogs } = await api();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-key-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(tmp, 'k')]);
    const other = fs.readFileSync(path.join(tmp, 'k.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const saved = fs.readFileSync(knownHosts, 'utf8');
    const hostField = saved.trim().split(/\s+/)[0];
    fs.writeFileSync(knownHosts, `${hostField} ${other}\n`);
    const snapshotBefore = fs.readFileSync(path.join(workspaceRoot().fsPath, '.rollback', 'records.json'), 'utf8');
    try {
      const dialogs = new ScriptedDialogs({ hostKey: 'accept-and-save' });
      setDialogs(dialogs);
      await vscode.commands.executeCommand('rollbackPilot.recordSnapshot');
      assert.ok(dialogs.errors.some((m) => /changed|refus/i.test(m)), `errors: ${dialogs.errors.join(' | ')}`);
      assert.ok(!dialogs.asked.some((a) => a.startsWith('hostkey:')), 'never asked: a changed key cannot be accepted from the UI');
      assert.equal(fs.readFileSync(path.join(workspaceRoot().fsPath, '.rollback', 'records.json'), 'utf8'), snapshotBefore, 'nothing recorded');
    } finally {
      fs.writeFileSync(knownHosts, saved);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
