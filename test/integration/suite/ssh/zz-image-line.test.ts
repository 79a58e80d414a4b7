// Issue 11 in VS Code, on the real sshd host "shop-prod": an environment with `strategy: image`
// says in the Releases view which image each service runs there, read on the host with the
// environment's `deployed:` command. Docker is not on the test host, so `deployed:` is a small
// script in the host user's home that prints what `docker inspect` would ("<reference> <id>").
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, label, workspaceRoot } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';

const remote = process.env.ROLLBACK_PILOT_REMOTE!;
const knownHostsFull = process.env.ROLLBACK_PILOT_KNOWN_HOSTS_FULL!;
const API_ID = `sha256:${'1a2b3c4d5e6f'.repeat(5)}abcd`;

/** A shell command on the host as its own user, over the system's ssh client (the test's own hand). */
function onHost(command: string, input?: string): string {
  const config = vscode.workspace.getConfiguration('rollbackPilot').get<string>('ssh.configFile')!;
  return execFileSync('ssh', ['-F', config, '-o', `UserKnownHostsFile=${knownHostsFull}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', 'shop-prod', command], { encoding: 'utf8', input, timeout: 30_000 }).trim();
}

async function rootLabels(): Promise<string[]> {
  const { releases } = await api();
  return (await releases.getChildren()).filter((n) => n.kind === 'note').map((n) => label(releases.getTreeItem(n)));
}

describe('an image environment says which image runs on the host (Releases view, `deployed:` on a real sshd host)', () => {
  const yml = path.join(workspaceRoot().fsPath, 'rollback.yml');
  let original: string;

  before(async () => {
    original = fs.readFileSync(yml, 'utf8');
    // What docker inspect would print for each service's container: the api with its id, the worker with its reference only.
    onHost('cat > ~/deployed-image.sh', `case "$1" in\n  api) echo "registry.example/shop-api:v1.3.0 ${API_ID}" ;;\n  worker) echo "registry.example/shop-worker:v1.3.0" ;;\n  *) echo "no container $1" >&2; exit 1 ;;\nesac\n`);
    const envs = `environments:\n  images:\n    host: shop-prod\n    path: ${remote}\n    branch: main\n    strategy: image\n    deployed: sh ~/deployed-image.sh {service}\n`;
    fs.writeFileSync(yml, original
      .replace(/environments:\n(  .*\n|    .*\n)*/, envs)
      .replace('  api:\n', '  api:\n    image: "registry.example/shop-api:{tag}"\n')
      .replace('  worker:\n', '  worker:\n    image: "registry.example/shop-worker:{tag}"\n'));
    (await api()).workspace!.invalidate();
  });

  after(async () => {
    fs.writeFileSync(yml, original);
    (await api()).workspace!.invalidate();
    onHost('rm -f ~/deployed-image.sh');
  });

  it('Refresh: the line names each service\'s image and its id, as the host\'s deployed: command printed them', async () => {
    const { setDialogs, workspace } = await api();
    const dialogs = new ScriptedDialogs();
    setDialogs(dialogs);
    const { config, fellBackToDefault } = await workspace!.config();
    assert.ok(!fellBackToDefault, 'rollback.yml with the image environment is valid');
    assert.equal(config.environments[0].deployed, 'sh ~/deployed-image.sh {service}');
    await vscode.commands.executeCommand('rollbackPilot.refresh');
    const line = await eventually(async () => {
      const l = (await rootLabels()).find((x) => x.startsWith('images'));
      if (!l || !/registry\.example/.test(l)) throw new Error(`the line says: ${l ?? 'nothing'}`);
      return l;
    }, 'the image line after Refresh');
    assert.equal(
      line.replace(/read \d+ s ago$/, 'read N s ago'),
      `images on shop-prod (${remote}): api runs registry.example/shop-api:v1.3.0 (${API_ID.slice(0, 19)}…); worker runs registry.example/shop-worker:v1.3.0, read N s ago`,
    );
    const { releases } = await api();
    // The line's age ticks between two readings of the tree ("read 0 s ago" → "read 1 s ago"), so find it by what it says.
    const sameLine = (l: string) => l.replace(/read \d+ s ago$/, '') === line.replace(/read \d+ s ago$/, '');
    const node = (await releases.getChildren()).find((n) => n.kind === 'note' && sameLine(label(releases.getTreeItem(n))));
    assert.ok(node, `the image line is still in the view: ${line}`);
    assert.equal((releases.getTreeItem(node).iconPath as vscode.ThemeIcon).id, 'info', 'a line that was read is no warning');
    assert.ok(!dialogs.asked.some((a) => a.startsWith('hostkey:')), 'the saved key is known: nothing asked');
  });
});
