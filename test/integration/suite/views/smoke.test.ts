import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('extension host smoke', () => {
  it('runs inside a real VS Code 1.100 with the extension present', () => {
    assert.match(vscode.version, /^1\.100\./);
    const ext = vscode.extensions.getExtension('rollback-pilot.rollback-pilot');
    assert.ok(ext, 'Rollback Pilot is loaded as a development extension');
  });
});
