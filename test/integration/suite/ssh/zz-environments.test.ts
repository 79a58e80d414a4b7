// Issue 11 in VS Code, on the real sshd host "shop-prod" (runs after ssh.test.ts, whose first
// test saved the host key): the Releases view's line of what each single-host environment runs,
// read from the host on Refresh; the warning when the checkout here is at another commit; a
// path that is not there named with its host; and "Which environment?" in the order and with
// the words that keep Enter from rolling back the wrong machine.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EnvironmentChoice } from '../../../../src/core/config/environmentOrder';
import { api, eventually, label, workspaceRoot } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';

const remote = process.env.ROLLBACK_PILOT_REMOTE!;
const knownHostsFull = process.env.ROLLBACK_PILOT_KNOWN_HOSTS_FULL!;

/** git on the host as its own user, over the system's ssh client: the test's own observer and hand. */
function onHost(...args: string[]): string {
  const config = vscode.workspace.getConfiguration('rollbackPilot').get<string>('ssh.configFile')!;
  const command = ['git', '-C', remote, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return execFileSync('ssh', ['-F', config, '-o', `UserKnownHostsFile=${knownHostsFull}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', 'shop-prod', command], { encoding: 'utf8', timeout: 30_000 }).trim();
}

async function rootLabels(): Promise<string[]> {
  const { releases } = await api();
  return (await releases.getChildren()).filter((n) => n.kind === 'note').map((n) => label(releases.getTreeItem(n)));
}

/** Records the choices "Which environment?" offered, and cancels there: nothing is planned. */
class PickerWatch extends ScriptedDialogs {
  offered?: EnvironmentChoice[];
  override async pickEnvironment(choices: EnvironmentChoice[]): Promise<string> {
    this.offered = choices;
    // Escape, as a person closes the quick pick (RollbackDialogs allows undefined; the scripted base always answers).
    return undefined as unknown as string;
  }
}

describe('what each environment runs, read from the host (Releases view, environment picker)', () => {
  const yml = path.join(workspaceRoot().fsPath, 'rollback.yml');
  let original: string;
  let hostRef: string;
  const missing = `${remote}-gone`;

  before(async () => {
    original = fs.readFileSync(yml, 'utf8');
    // The laptop first in rollback.yml, a staging path that does not exist, production on the host.
    const envs = `environments:\n  local:\n    host: local\n    path: .\n    branch: main\n  staging:\n    host: shop-prod\n    path: ${missing}\n    branch: main\n  production:\n    host: shop-prod\n    path: ${remote}\n    branch: main\n`;
    fs.writeFileSync(yml, original.replace(/environments:\n(  .*\n|    .*\n)*/, envs));
    // The host as the rollback over SSH left it (ssh.test.ts): a revert commit on main; the checkout here is at v1.4.0.
    hostRef = onHost('rev-parse', '--abbrev-ref', 'HEAD');
    const { workspace } = await api();
    workspace!.invalidate();
    await workspace!.config();
  });

  after(async () => {
    fs.writeFileSync(yml, original);
    if (hostRef) onHost('checkout', '-q', hostRef === 'HEAD' ? '-' : hostRef);
    (await api()).workspace!.invalidate();
  });

  it("after the rollback over SSH, the host's revert commit is named by the release whose tree it has", async () => {
    const { setDialogs } = await api();
    setDialogs(new ScriptedDialogs());
    const head = onHost('rev-parse', 'HEAD');
    await vscode.commands.executeCommand('rollbackPilot.refresh');
    const labels = await eventually(async () => {
      const l = await rootLabels();
      return l.some((x) => x.startsWith('production: ')) ? l : undefined;
    }, 'the production line after Refresh');
    const production = labels.find((x) => x.startsWith('production: '))!;
    assert.equal(production.replace(/read \d+ s ago$/, 'read N s ago'), `production: v1.3.0 on shop-prod (${remote}) at ${head.slice(0, 12)}, a commit with v1.3.0's tree, read N s ago`);
    assert.ok(labels.includes('production runs v1.3.0; your checkout is at v1.4.0'), labels.join(' | '));
  });

  it('Refresh: each host says what it runs, with the age of the reading; the checkout at another commit is a warning; a missing path names its host', async () => {
    // The host at the tag itself now.
    onHost('checkout', '-q', '--detach', 'v1.3.0');
    await vscode.commands.executeCommand('rollbackPilot.refresh');
    const labels = await eventually(async () => {
      const l = await rootLabels();
      return l.some((x) => /^production: v1\.3\.0 on shop-prod \([^)]*\), read/.test(x)) && l.some((x) => x.startsWith('staging ')) ? l : undefined;
    }, 'the environment lines after Refresh');
    const production = labels.find((x) => x.startsWith('production: '))!;
    assert.match(production, new RegExp(`^production: v1\\.3\\.0 on shop-prod \\(${remote.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\), read \\d+ s ago$`));
    assert.ok(labels.includes('production runs v1.3.0; your checkout is at v1.4.0'), labels.join(' | '));
    const staging = labels.find((x) => x.startsWith('staging '))!;
    assert.match(staging, /could not be read: shop-prod:.*-gone does not exist/);
    assert.ok(labels.some((x) => /^local: v1\.4\.0 on this machine \(\.\), read \d+ s ago$/.test(x)), labels.join(' | '));
    assert.ok(!labels.some((x) => /^(local|staging) runs /.test(x)), 'no warning for the checkout itself, nor for a host that was not read');
    // The tree items: the warning has its icon, the reading a plain one.
    const { releases } = await api();
    const nodes = (await releases.getChildren()).filter((n) => n.kind === 'note');
    const icon = (text: string) => (releases.getTreeItem(nodes.find((n) => label(releases.getTreeItem(n)) === text)!).iconPath as vscode.ThemeIcon).id;
    assert.equal(icon('production runs v1.3.0; your checkout is at v1.4.0'), 'warning');
    assert.equal(icon(production), 'info');
    assert.equal(icon(staging), 'warning');
  });

  it('after another Refresh the line is read again: the host moved, the view follows', async () => {
    onHost('checkout', '-q', '--detach', 'v1.4.0');
    try {
      await vscode.commands.executeCommand('rollbackPilot.refresh');
      const labels = await eventually(async () => {
        const l = await rootLabels();
        return l.some((x) => x.startsWith('production: v1.4.0 on shop-prod')) ? l : undefined;
      }, 'production read again at v1.4.0');
      assert.ok(!labels.some((x) => x.startsWith('production runs ')), `the checkout and the host agree now: ${labels.join(' | ')}`);
    } finally {
      onHost('checkout', '-q', '--detach', 'v1.3.0');
      await vscode.commands.executeCommand('rollbackPilot.refresh');
      await eventually(async () => ((await rootLabels()).some((x) => x.startsWith('production: v1.3.0')) ? true : undefined), 'production back at v1.3.0');
    }
  });

  it('"Which environment?": the host running the release being rolled back first, each with host:path and what runs there, local last', async () => {
    const { setDialogs } = await api();
    const dialogs = new PickerWatch();
    setDialogs(dialogs);
    await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy');
    const offered = dialogs.offered;
    assert.ok(offered, `the picker was shown (asked: ${dialogs.asked.join(', ')}; errors: ${dialogs.errors.join(' | ')})`);
    assert.deepEqual(offered.map((c) => c.env.name), ['production', 'staging', 'local'], offered.map((c) => `${c.env.name} ${c.deployed ?? ''}`).join(' | '));
    assert.equal(offered[0].where, `shop-prod:${remote}`);
    assert.equal(offered[0].runsBad, true);
    assert.match(offered[0].deployed ?? '', /^deployed: v1\.3\.0 \([0-9a-f]{12}\), the release being rolled back · read \d+ s ago$/);
    assert.equal(offered[1].where, `shop-prod:${missing}`);
    assert.equal(offered[1].deployed, undefined, 'nothing is claimed for a host that could not be read');
    assert.equal(offered[2].where, 'this machine: .');
    assert.ok(!dialogs.asked.includes('confirmPlan'), 'nothing was planned');
  });
});
