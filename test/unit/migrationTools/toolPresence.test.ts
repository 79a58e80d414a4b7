// The status check after the rollback is planned with the tool's default command only where the
// tool is installed: asked of the target's own shell at planning (dash, as /bin/sh here), so a
// team that runs its migrations from CI is not told after a good rollback that it did not finish.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runRollbackFlow } from '../../../src/app/rollbackFlow';
import { toolPresence } from '../../../src/core/database/toolPresence';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { tempDir } from '../engine/helpers';
import { appServices } from '../app/harness';
import { appFixture } from '../app/fixture';

describe('is the migration tool on the target (real /bin/sh)', () => {
  const tmp = tempDir('tool-presence');
  after(() => tmp.cleanup());
  // A PATH with the shell's basics and nothing else, so no developer's own `migrate` counts.
  const bare = new LocalCommandRunner({ env: { ...process.env, PATH: '/usr/bin:/bin' } });

  test('golang-migrate without `migrate`: absent, and the note says what to set', async () => {
    const p = await toolPresence(bare, 'golang-migrate', tmp.dir, 'production');
    assert.equal(p.present, false);
    assert.match(!p.present ? p.note : '', /^that golang-migrate still works on production after the rollback: `migrate` is not installed on local \(not on the PATH\)\. Set migrations\.status/);
  });

  test('with an executable `migrate` on the PATH: present', async () => {
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'migrate'), '#!/bin/sh\necho 4\n');
    chmodSync(join(bin, 'migrate'), 0o755);
    const runner = new LocalCommandRunner({ env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
    assert.deepEqual(await toolPresence(runner, 'golang-migrate', tmp.dir, 'production'), { present: true });
  });

  test('knex: the app tree\'s own node_modules/.bin/knex counts (npx --no-install finds it there)', async () => {
    const app = join(tmp.dir, 'app');
    mkdirSync(join(app, 'node_modules/.bin'), { recursive: true });
    assert.equal((await toolPresence(bare, 'knex', app, 'production')).present, false);
    writeFileSync(join(app, 'node_modules/.bin/knex'), '#!/bin/sh\n');
    chmodSync(join(app, 'node_modules/.bin/knex'), 0o755);
    assert.equal((await toolPresence(bare, 'knex', app, 'production')).present, true);
  });

  test('a tree that does not exist: not "absent" (the preflight refuses the path), the check stays planned', async () => {
    assert.equal((await toolPresence(bare, 'alembic', join(tmp.dir, 'nowhere'), 'production')).present, true);
  });
});

describe('the plan of the fixture shop (golang-migrate, no `migrate` installed here)', { timeout: 120_000 }, () => {
  test('has no status step for the tool and the preview says what is not checked, and why', async () => {
    const f = await appFixture();
    try {
      const dialogs = new ScriptedDialogs({ confirmPlan: false });
      const s = appServices(f.workspace, () => dialogs);
      const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
      assert.equal(outcome.stoppedBecause, 'not confirmed');
      const preview = s.ui.presenter.previews[0];
      assert.doesNotMatch(preview, /Check that golang-migrate still works/);
      assert.match(preview, /> Not checked: that golang-migrate still works on local after the rollback: `migrate` is not installed on local/);
      s.dispose();
    } finally {
      f.cleanup();
    }
  });

  test('the preview renders each note on its own line', () => {
    const plan = { environment: 'e', from: { name: 'a', sha: '1' }, to: { name: 'b', sha: '2' }, targetSource: 'user', reason: 'r', where: 'local', strategy: 'revert', affectedServices: [], id: 'x', createdBy: 'd', createdAt: 't', steps: [], notChecked: ['one', 'two'] } as unknown as Parameters<typeof renderPlanMarkdown>[0];
    assert.match(renderPlanMarkdown(plan), /> Not checked: one\n\n> Not checked: two/);
  });
});
