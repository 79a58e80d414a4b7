import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parseConfig } from '../../../../src/core/config';
import { api, eventually, EXTENSION_ID, label, workspaceRoot } from '../helpers';

describe('a repository with nothing to show yet (no tags, no migrations, no rollback.yml)', () => {
  it('the Releases view is empty with an explanation, and the welcome content offers to create the config', async () => {
    const { releases, migrations } = await api();
    const roots = await releases.getChildren();
    assert.deepEqual(roots.filter((n) => n.kind === 'release'), []);
    const notes = roots.map((n) => label(releases.getTreeItem(n)));
    assert.ok(notes.some((n) => /No tags match v\*/.test(n)), `a note explains the empty list: ${notes.join(' | ')}`);
    assert.deepEqual(await migrations.getChildren(), []);
    const welcome: Array<{ view: string; contents: string; when: string }> = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.viewsWelcome;
    const forMigrations = welcome.find((w) => w.view === 'rollbackPilot.migrations' && /!rollbackPilot\.hasConfig/.test(w.when));
    assert.match(forMigrations!.contents, /command:rollbackPilot\.createConfiguration/);
  });

  it('Create Configuration writes a commented starter for this repository that validates clean', async () => {
    const { workspace } = await api();
    await vscode.commands.executeCommand('rollbackPilot.createConfiguration');
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'rollback.yml');
    const text = await eventually(async () => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), 'rollback.yml to be written');
    assert.match(text, /^#/m, 'commented');
    assert.match(text, /apps\/web/, 'names the service folder it found');
    const parsed = parseConfig(text, 'rollback.yml');
    assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString(), 'opened for editing');
    assert.equal((await workspace!.config()).fileExists, true);
    await eventually(() => vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length === 0 || undefined, 'no errors in Problems');
  });

  it('running Create Configuration again never overwrites the file', async () => {
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'rollback.yml');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('# my edits\nreleases: { tags: "release-*" }\n'));
    await vscode.commands.executeCommand('rollbackPilot.createConfiguration');
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), '# my edits\nreleases: { tags: "release-*" }\n');
  });
});
