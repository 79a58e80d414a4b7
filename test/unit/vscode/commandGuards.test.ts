import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusalFor } from '../../../src/vscode/commandGuards';

const state = (hasFolder: boolean, isTrusted: boolean) => ({ hasFolder: () => hasFolder, isTrusted: () => isTrusted });

test('a command that needs nothing runs anywhere', () => {
  assert.equal(refusalFor({ needs: 'nothing', what: 'refresh the views' }, state(false, false)), undefined);
});

test('without a folder every folder or trust command gets the same sentence and the Open Folder action', () => {
  for (const needs of ['folder', 'trust'] as const) {
    const r = refusalFor({ needs, what: 'run a rollback' }, state(false, true));
    assert.equal(r?.message, 'Rollback Pilot needs an open folder (your service repository, on this machine) to run a rollback.');
    assert.equal(r?.action?.command, 'workbench.action.files.openFolder');
  }
});

test('an untrusted folder refuses trust commands only, and offers Manage Workspace Trust', () => {
  assert.equal(refusalFor({ needs: 'folder', what: 'open rollback.yml' }, state(true, false)), undefined);
  const r = refusalFor({ needs: 'trust', what: 'release a lock' }, state(true, false));
  assert.match(r!.message, /will not release a lock in an untrusted workspace/);
  assert.equal(r?.action?.command, 'workbench.trust.manage');
  assert.equal(refusalFor({ needs: 'trust', what: 'release a lock' }, state(true, true)), undefined);
});
