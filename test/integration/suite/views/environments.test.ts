// Issue 11: the Releases view's line of what the environment runs is read once after the view's
// first paint, without a Refresh (the fixture's `production` is this machine's checkout: no SSH,
// nothing to ask). The releases are painted first; the line joins them when the read is done.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, eventually, label, workspaceRoot } from '../helpers';

describe('the Releases view says what each environment runs, read after the first paint', () => {
  it('without a Refresh: "production: <commit> on this machine (.), read N s ago", and no warning when the checkout is what runs', async () => {
    const { releases } = await api();
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workspaceRoot().fsPath, encoding: 'utf8' }).trim();
    const roots = await eventually(async () => {
      const r = await releases.getChildren();
      return r.some((n) => n.kind === 'note' && n.message.startsWith('production: ')) ? r : undefined;
    }, 'the environment line after the first paint');
    const notes = roots.filter((n) => n.kind === 'note').map((n) => label(releases.getTreeItem(n)));
    const line = notes.find((x) => x.startsWith('production: '))!;
    // HEAD is the commit that added rollback.yml after v1.4.0: no tag names it.
    assert.equal(line.replace(/read \d+ s ago$/, 'read N s ago'), `production: ${head.slice(0, 12)} on this machine (.), read N s ago`);
    assert.ok(!notes.some((x) => x.startsWith('production runs ')), notes.join(' | '));
    assert.ok(roots.filter((n) => n.kind === 'release').length >= 5, 'the releases are listed beside it');
  });
});
