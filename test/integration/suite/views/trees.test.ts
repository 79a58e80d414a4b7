import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { api, eventually, label, workspaceRoot } from '../helpers';

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=t@example.com', ...args], { cwd: workspaceRoot().fsPath, encoding: 'utf8' });
}

describe('Releases and Migrations views (fixture workspace)', () => {
  it('lists SemVer releases newest first with deployed and last-known-good markers', async () => {
    const { releases } = await api();
    const roots = await releases.getChildren();
    const names = roots.filter((n) => n.kind === 'release').map((n) => label(releases.getTreeItem(n)));
    assert.deepEqual(names.slice(0, 5), ['v1.4.0', 'v1.3.0', 'v1.2.0', 'v1.1.0', 'v1.0.0']);
    // The non-SemVer tag does not match v* and so is not a release here.
    assert.ok(!names.includes('nightly-2026-10-01'));
    const newest = releases.getTreeItem(roots.find((n) => n.kind === 'release')!);
    assert.match(String(newest.description), /deployed/);
    const v130 = roots.find((n) => n.kind === 'release' && n.release.name === 'v1.3.0')!;
    assert.match(String(releases.getTreeItem(v130).description), /last-known-good/);
  });

  it('expands a release into its commits and the migrations it added', async () => {
    const { releases } = await api();
    const roots = await releases.getChildren();
    const v120 = roots.find((n) => n.kind === 'release' && n.release.name === 'v1.2.0')!;
    const sections = await releases.getChildren(v120);
    assert.deepEqual(sections.map((s) => label(releases.getTreeItem(s))), ['Commits', 'Migrations']);
    const commits = await releases.getChildren(sections[0]);
    const commitItems = commits.map((c) => releases.getTreeItem(c));
    assert.deepEqual(commitItems.map(label), ['Require an email on users']);
    assert.match(String(commitItems[0].description), /^[0-9a-f]{7,} · Dana Ops · /);
    const migrations = await releases.getChildren(sections[1]);
    const files = migrations.map((m) => releases.getTreeItem(m).resourceUri?.path.split('/').pop());
    assert.deepEqual(files, ['b1_users_email.py']);
  });

  it('shows Alembic migrations in down_revision order, not file-name order, and opens one on click', async () => {
    const { migrations } = await api();
    const groups = await migrations.getChildren();
    assert.equal(groups.length, 1);
    const group = migrations.getTreeItem(groups[0]);
    assert.equal(label(group), 'Alembic');
    const items = (await migrations.getChildren(groups[0])).map((n) => migrations.getTreeItem(n));
    const files = items.map((i) => i.resourceUri?.path.split('/').pop());
    assert.deepEqual(files, ['c3_create_users.py', 'a9_add_orders.py', 'b1_users_email.py', '0f_audit_trigger.py', 'd2_drop_legacy.py']);
    const cmd = items[2].command!;
    await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
    await eventually(() => vscode.window.activeTextEditor?.document.uri.path.endsWith('b1_users_email.py'), 'the migration file to open');
  });

  it('refreshes the Releases view after a new tag is created', async () => {
    const { releases } = await api();
    const changed = new Promise<void>((resolve) => {
      const sub = releases.onDidChangeTreeData(() => { sub.dispose(); resolve(); });
    });
    git('commit', '-q', '--allow-empty', '-m', 'Hotfix for orders');
    git('tag', 'v1.4.1');
    await Promise.race([changed, new Promise((_, reject) => setTimeout(() => reject(new Error('no tree refresh within 10 s of git tag')), 10_000))]);
    const names = (await releases.getChildren()).filter((n) => n.kind === 'release').map((n) => n.kind === 'release' ? n.release.name : '');
    assert.equal(names[0], 'v1.4.1');
  });
});
