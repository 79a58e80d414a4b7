// Runs last: it bends the fixture workspace (corrupt config, detached HEAD, a broken
// migration) and puts it back after each case.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { api, eventually, label, workspaceRoot } from '../helpers';

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=t@example.com', ...args], { cwd: workspaceRoot().fsPath, encoding: 'utf8' }).trim();
}

async function rootLabels(): Promise<string[]> {
  const { releases, workspace } = await api();
  workspace!.invalidate();
  return (await releases.getChildren()).map((n) => label(releases.getTreeItem(n)));
}

describe('bad input gets a clear message in the view, never an empty tree', () => {
  it('a corrupt rollback.yml: the view says it shows defaults, Problems has the syntax error at its line', async () => {
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'rollback.yml');
    const original = await vscode.workspace.fs.readFile(uri);
    try {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('releases:\n  tags: "v*\nenvironments: [\n'));
      const labels = await eventually(async () => {
        const l = await rootLabels();
        return l.some((x) => /rollback\.yml has errors/.test(x)) ? l : undefined;
      }, 'the corrupt-config note');
      assert.ok(labels.includes('v1.0.0'), 'releases still listed on the defaults');
      const diags = await eventually(() => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length ? d : undefined;
      }, 'a syntax diagnostic');
      assert.ok(diags[0].range.start.line >= 1, `located after line 1: ${diags[0].message}`);
    } finally {
      await vscode.workspace.fs.writeFile(uri, original);
    }
  });

  it('a detached HEAD: the view says so and how to get back', async () => {
    const sha = git('rev-parse', 'v1.2.0^{commit}');
    git('checkout', '-q', '--detach', sha);
    try {
      const labels = await eventually(async () => {
        const l = await rootLabels();
        return l.some((x) => /detached/i.test(x)) ? l : undefined;
      }, 'the detached-HEAD note');
      const note = labels.find((x) => /detached/i.test(x))!;
      assert.match(note, /git switch main/);
    } finally {
      git('checkout', '-q', 'main');
    }
  });

  it('an unparsable migration stays listed with its located problem', async () => {
    const { migrations, workspace } = await api();
    const file = vscode.Uri.joinPath(workspaceRoot(), 'alembic/versions/e9_broken.py');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode("revision = 'e9f0'\ndown_revision = 'd2e5'\n\ndef upgrade(:\n    pass\n"));
    try {
      workspace!.invalidate();
      const broken = await eventually(async () => {
        const groups = await migrations.getChildren();
        const items = (await migrations.getChildren(groups[0])).map((n) => migrations.getTreeItem(n));
        const b = items.find((i) => i.resourceUri?.path.endsWith('e9_broken.py'));
        return b && /unknown/.test(String(b.description)) ? b : undefined;
      }, 'the broken file listed with its class');
      const tooltip = (broken.tooltip as vscode.MarkdownString).value;
      assert.match(tooltip, /line 4/i);
      // Never a silent "safe": a file that cannot be read is "unknown — review by hand".
      assert.equal((broken.iconPath as vscode.ThemeIcon).id, 'question');
      assert.match(String(broken.description), /unknown — review by hand/);
    } finally {
      await vscode.workspace.fs.delete(file);
      workspace!.invalidate();
    }
  });
});
