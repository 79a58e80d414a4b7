// The workspace model without VS Code: rollback.yml as the editor shows it (unsaved text wins),
// the listing following what the target said, one debounced change event for a burst of
// invalidations, and the whole of src/app free of the editor API.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { makeAppRepo } from '../../fixtures/appRepo';
import { freePort, tempDir } from '../engine/helpers';
import { WorkspaceModel } from '../../../src/app/workspaceModel';
import { RecordsStore } from '../../../src/core/releases/recordsStore';
import { fileRecordsStorage } from '../../../src/infra/files/recordsFileStorage';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { NodeFileSystem } from '../../../src/infra/files/nodeFileSystem';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { appServices } from './harness';

describe('the workspace model in plain Node', () => {
  const tmp = tempDir('app-model');
  let dir: string;
  let tags: Record<string, string>;
  before(async () => {
    const repo = await makeAppRepo(join(tmp.dir, 'app'), { apiPort: await freePort(), workerPort: await freePort() });
    dir = repo.dir;
    tags = repo.tags;
  });
  after(() => tmp.cleanup());

  const model = (unsaved?: (p: string) => string | undefined): WorkspaceModel => {
    const records = new RecordsStore(fileRecordsStorage(join(dir, '.rollback/records.json')));
    return new WorkspaceModel({ fsPath: dir }, { gitPort: new SimpleGitPort(dir), records, log: { info: () => undefined, warn: () => undefined }, fileSystem: () => new NodeFileSystem(dir), parser: new PgSqlParser(), unsavedText: unsaved });
  };

  test('rollback.yml is read as the open editor holds it; its errors fall back to the defaults and say so', async () => {
    const saved = model();
    assert.equal((await saved.config()).config.environments[0].name, 'local');
    const editing = model((p) => (p === join(dir, 'rollback.yml') ? readFileSync(join(dir, 'rollback.yml'), 'utf8').replace('  local:\n', '  staging:\n') : undefined));
    assert.equal((await editing.config()).config.environments[0].name, 'staging');
    const broken = model(() => 'environments: [');
    const loaded = await broken.config();
    assert.equal(loaded.fellBackToDefault, true);
    assert.ok(loaded.diagnostics.length > 0 && loaded.diagnostics[0].line >= 1);
  });

  test('the listing follows what the target said it runs, until told otherwise', async () => {
    const m = model();
    assert.equal((await m.releases()).releases.find((r) => r.markers.includes('deployed'))?.name, 'v1.4.0');
    m.useTargetFacts({ headSha: tags['v1.2.0'] });
    const listing = await m.releases();
    assert.equal(listing.releases.find((r) => r.markers.includes('deployed'))?.name, 'v1.2.0');
    m.useTargetFacts(undefined);
    assert.equal((await m.releases()).releases.find((r) => r.markers.includes('deployed'))?.name, 'v1.4.0');
    m.dispose();
  });

  test('a burst of invalidations is one change event (250 ms debounce); dispose stops them', async () => {
    const m = model();
    let fired = 0;
    const sub = m.onDidChange(() => fired++);
    m.invalidate(['releases']);
    m.invalidate(['config']);
    m.invalidate();
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(fired, 1);
    sub.dispose();
    m.invalidate();
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(fired, 1, 'an unsubscribed listener hears nothing');
    m.dispose();
  });

  test('the scripted dialogs the integration suite uses drive the app layer unchanged (no vscode in its imports)', () => {
    const s = appServices(dir, () => new ScriptedDialogs());
    assert.ok(s.sessions && s.workspace);
    s.dispose();
    const appDir = join(__dirname, '../../../src/app');
    for (const f of readdirSync(appDir).filter((n) => n.endsWith('.ts'))) {
      assert.doesNotMatch(readFileSync(join(appDir, f), 'utf8'), /from 'vscode'|from '\.\.\/vscode\//, f);
    }
  });
});
