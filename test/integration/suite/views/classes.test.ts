import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MigrationVerdict } from '../../../../src/core/migrations/types';
import { api, eventually, label, workspaceRoot } from '../helpers';

describe('migration safety classes in the trees and Analyze Migration', () => {
  it('the Migrations view shows each migration with its class, icon and reason', async () => {
    const { migrations } = await api();
    // The list paints first; the classes arrive once every file is parsed.
    const items = await eventually(async () => {
      const groups = await migrations.getChildren();
      const its = (await migrations.getChildren(groups[0])).map((n) => migrations.getTreeItem(n));
      return its.every((i) => /safe to leave|needs mitigation|destructive|unknown/.test(String(i.description))) ? its : undefined;
    }, 'every migration to show its class');
    const byFile = new Map(items.map((i) => [i.resourceUri?.path.split('/').pop(), i]));
    const cls = (f: string) => String(byFile.get(f)?.description);
    assert.match(cls('c3_create_users.py'), /safe to leave/);
    assert.match(cls('a9_add_orders.py'), /safe to leave/);
    assert.match(cls('b1_users_email.py'), /needs mitigation/);
    assert.match(cls('0f_audit_trigger.py'), /needs mitigation/);
    assert.match(cls('d2_drop_legacy.py'), /destructive/);
    const tooltip = (byFile.get('b1_users_email.py')!.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /adding-required-field/);
    assert.match(tooltip, /DROP NOT NULL/);
    assert.equal((byFile.get('d2_drop_legacy.py')!.iconPath as vscode.ThemeIcon).id, 'flame');
  });

  it("a release's Migrations node summarises its migrations' classes", async () => {
    const { releases } = await api();
    const v130 = (await releases.getChildren()).find((n) => n.kind === 'release' && n.release.name === 'v1.3.0')!;
    const sections = await releases.getChildren(v130);
    const migrationsSection = releases.getTreeItem(sections[1]);
    assert.equal(label(migrationsSection), 'Migrations');
    assert.match(String(migrationsSection.description), /1 migration.*needs mitigation/);
  });

  it('Analyze Migration opens a report with the rule, the fix and its risk, and puts the finding in Problems at its line', async () => {
    const file = vscode.Uri.joinPath(workspaceRoot(), 'alembic/versions/b1_users_email.py');
    const verdict = (await vscode.commands.executeCommand('rollbackPilot.analyzeMigration', file)) as MigrationVerdict;
    assert.equal(verdict.class, 'mitigate');
    const report = await eventually(() => vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && /adding-required-field/.test(d.getText())), 'the report document');
    assert.match(report.getText(), /ALTER TABLE users ALTER COLUMN email DROP NOT NULL/i);
    const diags = vscode.languages.getDiagnostics(file);
    const d = diags.find((x) => x.code === 'adding-required-field');
    assert.ok(d, `diagnostics: ${diags.map((x) => x.message).join(' | ')}`);
    assert.equal(d.range.start.line, 9, 'the op.add_column line (1-based 10)');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
  });

  it('Analyze Migration on a Markdown file says it is no migration and leaves nothing in Problems', async () => {
    const readme = vscode.Uri.joinPath(workspaceRoot(), 'README.md');
    const verdict = await vscode.commands.executeCommand('rollbackPilot.analyzeMigration', readme);
    assert.equal(verdict, undefined, 'no verdict: README.md is not a knex migration');
    assert.deepEqual(vscode.languages.getDiagnostics(readme), []);
  });
});
