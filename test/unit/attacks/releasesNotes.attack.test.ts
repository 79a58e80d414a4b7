// The Releases view's environment line quotes the host: for strategy image, the `deployed:`
// command's output or, when it fails, its last stderr line. Found by this review: that text was
// shown as the host wrote it, unredacted (a registry login's password, a token, a URL with its
// userinfo in the error), with its escape sequences, carriage returns and bidi overrides, at any
// length. The promise is tested where it is kept as far as plain Node reaches: EnvironmentStatus
// reads a real target folder with the real shell, and the note is what the tree item shows
// (src/vscode/views/noteText.ts, the label and tooltip of releasesTree.ts's note nodes).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EnvironmentStatus, environmentNotes } from '../../../src/app/environmentStatus';
import { WorkspaceModel } from '../../../src/app/workspaceModel';
import type { CommandRunner } from '../../../src/core/ports';
import { RecordsStore } from '../../../src/core/releases/recordsStore';
import { NodeFileSystem } from '../../../src/infra/files/nodeFileSystem';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { noteText } from '../../../src/vscode/views/noteText';
import { makeAppRepo } from '../../fixtures/appRepo';
import { tempDir } from '../engine/helpers';

const tmp = tempDir('releases-notes');
after(() => tmp.cleanup());

const PASSWORD = 'Hunter2-registry-Pw-77';
const TOKEN = `ghp_${'Ab1'.repeat(12)}`;
const USERINFO = 'deploy:S3cretRegistryPass';

test('a deployed: command that fails with secrets, escapes and a bidi override in its stderr: the note shows none of them raw, in one bounded line', async () => {
  const repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
  const prod = join(tmp.dir, 'prod');
  execFileSync('git', ['clone', '-q', repo.dir, prod], { stdio: 'ignore' });
  const yml = join(repo.dir, 'rollback.yml');
  const original = readFileSync(yml, 'utf8');
  // The host's script: a registry login error quoting its credentials, a screen clear, a line rewritten by \r, an RLO, and 50 kB more.
  writeFileSync(join(prod, 'deployed.sh'), `printf 'login failed: password=${PASSWORD} token ${TOKEN} https://${USERINFO}@registry.example/v2/ \\033[2J\\rall good \\342\\200\\256lanigiro %s\\n' "$(head -c 50000 /dev/zero | tr '\\0' y)" >&2; exit 1\n`);
  const services = original.replace(/    paths: \["apps\/api\/\*\*"\]\n/, '    paths: ["apps/api/**"]\n    image: "registry.example/shop-api:{tag}"\n');
  writeFileSync(yml, services.replace(/environments:\n(  .*\n|    .*\n)*/, `environments:\n  production:\n    host: prod-1\n    path: ${prod}\n    strategy: image\n    deployed: "sh deployed.sh {service}"\n`));
  const records = (() => {
    let text: string | undefined;
    return new RecordsStore({ location: 'memory', read: async () => text, write: async (t) => void (text = t), moveAside: async () => 'nowhere' });
  })();
  const workspace = new WorkspaceModel({ fsPath: repo.dir }, { gitPort: new SimpleGitPort(repo.dir), records, log: { info: () => undefined, warn: () => undefined }, fileSystem: () => new NodeFileSystem(repo.dir), parser: new PgSqlParser() });
  // "prod-1" is this machine's shell in the target folder: the host's output is what the script prints.
  const runnerFor = (where: string): CommandRunner => {
    const shell = new LocalCommandRunner();
    return { where, run: (command, options) => shell.run(command, { ...options, cwd: options?.cwd ?? prod }), dispose: async () => undefined };
  };
  const status = new EnvironmentStatus(workspace, { runnerFor });
  await status.read();
  const notes = environmentNotes(status.current());
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.match(notes[0].message, /could not be read/, 'the host was read and failed');
  for (const shown of Object.values(noteText(notes[0].message))) {
    for (const secret of [PASSWORD, TOKEN, USERINFO, 'S3cretRegistryPass']) assert.ok(!shown.includes(secret), `the note shows ${secret}: ${shown.slice(0, 300)}`);
    assert.doesNotMatch(shown, /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/, `a control or bidi character in the note: ${JSON.stringify(shown.slice(0, 300))}`);
  }
  const { label, tooltip } = noteText(notes[0].message);
  assert.ok(label.length <= 400 && tooltip.length <= 4000, `label ${label.length}, tooltip ${tooltip.length} characters`);
  assert.match(label, /login failed/, label);
});
