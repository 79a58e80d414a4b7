import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, workspaceRoot } from '../helpers';

const BROKEN = [
  'releases:',
  '  tags: "v*"',
  'environments:',
  '  production:',
  '    path: /opt/app',
  '    stratgy: revert',
  'services:',
  '  api:',
  '    health: { url: "http://127.0.0.1:3101/health", timeout: 30 seconds }',
  '',
].join('\n');

describe('rollback.yml diagnostics in the Problems panel', () => {
  let original: Uint8Array;
  const uri = () => vscode.Uri.joinPath(workspaceRoot(), 'rollback.yml');

  before(async () => {
    original = await vscode.workspace.fs.readFile(uri());
  });
  after(async () => {
    await vscode.workspace.fs.writeFile(uri(), original);
  });

  it('reports an unknown key with a suggestion, a missing host and a malformed duration at their line and column', async () => {
    await vscode.workspace.fs.writeFile(uri(), new TextEncoder().encode(BROKEN));
    const diags = await eventually(() => {
      const d = vscode.languages.getDiagnostics(uri());
      return d.length >= 3 ? d : undefined;
    }, 'three diagnostics on the broken rollback.yml');
    const find = (re: RegExp) => diags.find((d) => re.test(d.message));
    const unknown = find(/stratgy/);
    assert.ok(unknown, `unknown key reported; got ${diags.map((d) => d.message).join(' | ')}`);
    assert.match(unknown.message, /Did you mean "strategy"/);
    assert.equal(unknown.range.start.line, 5);
    assert.equal(unknown.range.start.character, 4);
    const host = find(/host/);
    assert.ok(host, 'missing host reported');
    assert.equal(host.range.start.line, 3);
    const duration = find(/duration/);
    assert.ok(duration, 'malformed duration reported');
    assert.equal(duration.range.start.line, 8);
    assert.equal(duration.severity, vscode.DiagnosticSeverity.Error);
  });

  it('clears the problems once the file is fixed', async () => {
    await vscode.workspace.fs.writeFile(uri(), original);
    await eventually(() => vscode.languages.getDiagnostics(uri()).length === 0 || undefined, 'diagnostics to clear');
  });
});
