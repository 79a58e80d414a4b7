// Issue 11 in VS Code: the Migrations view reads the applied state through the environment
// chosen in its title, over that environment's own connection. The group's real PostgreSQL
// (test/integration/groups.mjs: 127.0.0.1, migrations 1-3 applied) is reached by `migrations.sql: psql service=shop`, a service only the host's
// user defines (~/.pg_service.conf on shop-prod): read through `local`, the same command fails
// on the laptop, as production's psql command did in the issue; read through `production` it
// answers with the host's database.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, label, workspaceRoot } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';

const remote = process.env.ROLLBACK_PILOT_REMOTE!;
const knownHostsFull = process.env.ROLLBACK_PILOT_KNOWN_HOSTS_FULL!;
const pgPort = Number(process.env.ROLLBACK_PILOT_PG_PORT);

/** A shell command on the host as its own user, over the system's ssh client (the test's own hand). */
function onHost(command: string, input?: string): string {
  const config = vscode.workspace.getConfiguration('rollbackPilot').get<string>('ssh.configFile')!;
  return execFileSync('ssh', ['-F', config, '-o', `UserKnownHostsFile=${knownHostsFull}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', 'shop-prod', command], { encoding: 'utf8', input, timeout: 30_000 }).trim();
}

/** The view's group as a person reads it: its problem lines, and each migration with its description. */
async function migrationsView(): Promise<{ problems: string[]; migrations: string[] }> {
  const { migrations } = await api();
  migrations.refresh();
  const groups = await migrations.getChildren();
  const nodes = await migrations.getChildren(groups[0]);
  const text = (kind: string) => nodes.filter((n) => n.kind === kind).map((n) => migrations.getTreeItem(n)).map((i) => `${label(i)} ${String(i.description ?? '')}`.trim());
  return { problems: text('problem'), migrations: text('migration') };
}

describe('the Migrations view reads the database of the environment chosen in its title (real PostgreSQL, reached from the host)', () => {
  const yml = path.join(workspaceRoot().fsPath, 'rollback.yml');
  let original: string;

  before(async () => {
    original = fs.readFileSync(yml, 'utf8');
    onHost('cat > ~/.pg_service.conf', `[shop]\nhost=127.0.0.1\nport=${pgPort}\nuser=postgres\ndbname=shop\n`);
    const envs = `environments:\n  local:\n    host: local\n    path: .\n    branch: main\n  production:\n    host: shop-prod\n    path: ${remote}\n    branch: main\n`;
    fs.writeFileSync(yml, original.replace(/environments:\n(  .*\n|    .*\n)*/, envs).replace('  dir: db/migrations\n', '  dir: db/migrations\n  sql: "psql service=shop"\n'));
    (await api()).workspace!.invalidate();
  });

  after(async () => {
    fs.writeFileSync(yml, original);
    (await api()).workspace!.invalidate();
    onHost('rm -f ~/.pg_service.conf');
  });

  it('through local the command fails on this machine and no migration is marked; through production the host\'s database answers: 3 applied, 2 pending', async () => {
    const { setDialogs } = await api();
    const dialogs = new ScriptedDialogs();
    setDialogs(dialogs);
    await vscode.commands.executeCommand('rollbackPilot.chooseDatabaseEnvironment', 'local');
    const viaLocal = await eventually(async () => {
      const v = await migrationsView();
      return v.problems.some((x) => /^Applied state unknown: .*service/.test(x)) ? v : undefined;
    }, 'the local read to fail, said in the view');
    assert.equal(viaLocal.migrations.length, 5);
    assert.ok(!viaLocal.migrations.some((x) => /\b(applied|pending)\b/.test(x)), viaLocal.migrations.join('\n'));

    await vscode.commands.executeCommand('rollbackPilot.chooseDatabaseEnvironment', 'production');
    assert.ok(dialogs.infos.some((m) => /reads the database of production \(shop-prod\)/.test(m)), dialogs.infos.join(' | '));
    const viaHost = await eventually(async () => {
      const l = (await migrationsView()).migrations;
      return l.filter((x) => /\bapplied\b/.test(x)).length === 3 ? l : undefined;
    }, "the host's database read through production", 30_000);
    assert.deepEqual(viaHost.map((x) => (/\bapplied\b/.test(x) ? 'applied' : /\bpending\b/.test(x) ? 'pending' : 'unknown')), ['applied', 'applied', 'applied', 'pending', 'pending'], viaHost.join('\n'));
  });
});
