// The Releases view's line per single-host environment (issue 11): what the target's own tree
// runs, read over one runner per host and kept with its age; a warning when the operator's
// checkout is at another commit; a failure that names the host; the image strategy's running
// image from its `deployed:` command. Real git repositories and a real /bin/sh: a "host" here
// is a shell whose runner reports that host's name, so each host's runners can be counted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EnvironmentStatus, environmentNotes } from '../../../src/app/environmentStatus';
import type { RollbackSessions } from '../../../src/app/sessions';
import { environmentChoices, readTargetFacts } from '../../../src/app/targetFacts';
import { WorkspaceModel } from '../../../src/app/workspaceModel';
import type { CommandRunner, ExecOptions } from '../../../src/core/ports';
import { RecordsStore } from '../../../src/core/releases/recordsStore';
import { NodeFileSystem } from '../../../src/infra/files/nodeFileSystem';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { git, tempDir } from '../engine/helpers';

/** Runners by host: a real shell for each, counted; `down` hosts answer as an unreachable one does. */
function hosts(down: string[] = []) {
  const made: string[] = [];
  const commands: string[] = [];
  const runnerFor = (where: string): CommandRunner => {
    made.push(where);
    const shell = new LocalCommandRunner();
    return {
      where,
      run: async (command: string, options?: ExecOptions) => {
        commands.push(`${where}: ${command}`);
        if (down.includes(where)) return { code: null, signal: null, stdout: '', stderr: `connect ECONNREFUSED (${where})\n`, durationMs: 1 };
        return shell.run(command, options);
      },
      dispose: async () => undefined,
    };
  };
  return { runnerFor, made, commands };
}

const memoryRecords = () => {
  let text: string | undefined;
  return new RecordsStore({ location: 'memory', read: async () => text, write: async (t) => void (text = t), moveAside: async () => 'nowhere' });
};

function workspaceAt(dir: string): WorkspaceModel {
  return new WorkspaceModel({ fsPath: dir }, { gitPort: new SimpleGitPort(dir), records: memoryRecords(), log: { info: () => undefined, warn: () => undefined }, fileSystem: () => new NodeFileSystem(dir), parser: new PgSqlParser() });
}

describe('EnvironmentStatus: what each single host runs, for the Releases view (real git, real sh)', () => {
  const tmp = tempDir('envstatus');
  let repo: AppRepo;
  let prod: string;
  let staging: string;
  let yml: string;
  let original: string;

  before(async () => {
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
    prod = join(tmp.dir, 'prod');
    staging = join(tmp.dir, 'staging');
    for (const [dir, ref] of [[prod, 'v1.3.0'], [staging, 'v1.4.0']] as const) {
      execFileSync('git', ['clone', '-q', repo.dir, dir], { stdio: 'ignore' });
      git(dir, 'checkout', '-q', '--detach', ref);
    }
    mkdirSync(join(tmp.dir, 'plain'));
    yml = join(repo.dir, 'rollback.yml');
    original = readFileSync(yml, 'utf8');
  });
  after(() => tmp.cleanup());

  const withEnvironments = (block: string) => writeFileSync(yml, original.replace(/environments:\n(  .*\n|    .*\n)*/, `environments:\n${block}`));

  test('each host is read once over one runner; the line names the release, host and path; a checkout at another commit is warned about', async () => {
    withEnvironments(`  local:\n    host: local\n    path: .\n  production:\n    host: prod-1\n    path: ${prod}\n  staging:\n    host: prod-1\n    path: ${staging}\n`);
    const h = hosts();
    const status = new EnvironmentStatus(workspaceAt(repo.dir), h);
    let changed = 0;
    status.onDidChange(() => changed++);
    await status.read();
    assert.equal(changed, 1);
    assert.equal(h.made.filter((w) => w === 'prod-1').length, 1, `one runner for prod-1, shared by production and staging: ${h.made.join(', ')}`);
    const lines = status.current();
    assert.deepEqual(lines.map((l) => l.environment), ['local', 'production', 'staging'], "rollback.yml's order");
    const [local, production, stagingLine] = lines;
    assert.equal(production.text, `production: v1.3.0 on prod-1 (${prod})`);
    assert.equal(production.sha, git(repo.dir, 'rev-parse', 'v1.3.0^{commit}'));
    assert.equal(production.differs, 'production runs v1.3.0; your checkout is at v1.4.0');
    assert.equal(stagingLine.text, `staging: v1.4.0 on prod-1 (${staging})`);
    assert.equal(stagingLine.differs, undefined, 'staging runs what the checkout is at');
    assert.equal(local.text, 'local: v1.4.0 on this machine (.)');
    assert.equal(local.differs, undefined);
  });

  test('the reading is kept with its time: the view says its age and nothing is read again until asked', async () => {
    withEnvironments(`  production:\n    host: prod-1\n    path: ${prod}\n`);
    const h = hosts();
    const ws = workspaceAt(repo.dir);
    const status = new EnvironmentStatus(ws, h);
    assert.deepEqual(status.current(), [], 'nothing before the first read');
    await status.read();
    const ran = h.commands.length;
    const [line] = status.current();
    const readAt = Date.parse(line.readAt);
    assert.ok(Math.abs(Date.now() - readAt) < 60_000);
    const notes = environmentNotes(status.current(), new Date(readAt + 40_000));
    assert.deepEqual(notes, [
      { message: `production: v1.3.0 on prod-1 (${prod}), read 40 s ago`, severity: 'info' },
      { message: 'production runs v1.3.0; your checkout is at v1.4.0', severity: 'warning' },
    ]);
    assert.match(environmentNotes(status.current(), new Date(readAt + 5 * 60_000))[0].message, /read 5 min ago$/);
    assert.equal(h.commands.length, ran, 'current() and the notes read nothing');
    // The environment changed in rollback.yml: the old reading is not shown for it.
    withEnvironments(`  production:\n    host: prod-2\n    path: ${prod}\n`);
    ws.invalidate();
    await ws.config();
    assert.deepEqual(status.current(), [], 'a reading of prod-1 is not shown for prod-2');
  });

  test('the environment picker orders and describes by these readings too', async () => {
    withEnvironments(`  local:\n    host: local\n    path: .\n  production:\n    host: prod-1\n    path: ${prod}\n`);
    const ws = workspaceAt(repo.dir);
    await new EnvironmentStatus(ws, hosts()).read();
    const choices = await environmentChoices(ws, (await ws.config()).config);
    assert.deepEqual(choices.map((c) => c.env.name), ['production', 'local'], 'local is never first while another exists');
    assert.equal(choices[0].where, `prod-1:${prod}`);
    assert.match(choices[0].deployed ?? '', /^deployed: v1\.3\.0 \([0-9a-f]{12}\) · read \d+ s ago$/);
  });

  test('a plan\'s read of the target lists no tags (nothing planned uses them), and the picker still names the release it runs', async () => {
    withEnvironments(`  local:\n    host: local\n    path: .\n  production:\n    host: prod-1\n    path: ${prod}\n`);
    const ws = workspaceAt(repo.dir);
    const h = hosts();
    const { config } = await ws.config();
    const read = await readTargetFacts(ws, h as unknown as RollbackSessions, config, 'production');
    assert.equal(read?.sha, repo.tags['v1.3.0']);
    assert.equal(read?.tags, undefined, 'not read');
    assert.ok(!h.commands.some((c) => c.startsWith('prod-1: ') && /show-ref|for-each-ref|git tag/.test(c)), h.commands.join('\n'));
    const choices = await environmentChoices(ws, config);
    assert.match(choices[0].deployed ?? '', /^deployed: v1\.3\.0 \([0-9a-f]{12}\), the release being rolled back · read \d+ s ago$/);
    // status asks for them, and gets the tags the host has at HEAD.
    assert.deepEqual((await readTargetFacts(ws, h as unknown as RollbackSessions, config, 'production', { tags: true }))?.tags, ['v1.3.0']);
  });

  test('a commit made on the host with a release\'s tree (a revert there) is named by that release; a checkout with that tree is not warned about', async () => {
    const reverted = join(tmp.dir, 'reverted');
    execFileSync('git', ['clone', '-q', repo.dir, reverted], { stdio: 'ignore' });
    const sha = git(reverted, '-c', 'user.name=Deploy', '-c', 'user.email=deploy@shop.example', 'commit-tree', '-p', 'v1.4.0^{commit}', '-m', 'Revert to v1.3.0', 'v1.3.0^{tree}');
    git(reverted, 'checkout', '-q', '--detach', sha);
    withEnvironments(`  production:\n    host: prod-1\n    path: ${reverted}\n`);
    const status = new EnvironmentStatus(workspaceAt(repo.dir), hosts());
    await status.read();
    const [line] = status.current();
    assert.equal(line.text, `production: v1.3.0 on prod-1 (${reverted}) at ${sha.slice(0, 12)}, a commit with v1.3.0's tree`);
    assert.equal(line.sha, sha);
    assert.equal(line.differs, 'production runs v1.3.0; your checkout is at v1.4.0');
    git(repo.dir, 'checkout', '-q', '--detach', 'v1.3.0');
    try {
      await status.read();
      assert.equal(status.current()[0].differs, undefined, 'the checkout has the code the host runs');
    } finally {
      git(repo.dir, 'checkout', '-q', 'main');
    }
  });

  test('a host that does not answer, a path that is no work tree, a missing path: each line says so and names the host', async () => {
    withEnvironments(`  production:\n    host: prod-1\n    path: ${prod}\n  plain:\n    host: prod-2\n    path: ${join(tmp.dir, 'plain')}\n  missing:\n    host: prod-2\n    path: ${join(tmp.dir, 'nowhere')}\n`);
    const status = new EnvironmentStatus(workspaceAt(repo.dir), hosts(['prod-1']));
    await status.read();
    const [down, plain, missing] = status.current();
    assert.equal(down.problem, true);
    assert.match(down.text, /^production on prod-1 \(.*\) could not be read: Cannot read what is deployed on prod-1: connect ECONNREFUSED/);
    assert.match(plain.text, /^plain on prod-2 \(.*\) could not be read: prod-2:.*plain is not a git work tree/);
    assert.match(missing.text, /^missing on prod-2 \(.*\) could not be read: prod-2:.*nowhere does not exist/);
    const notes = environmentNotes([down]);
    assert.equal(notes.length, 1, 'no differs warning without a reading');
    assert.equal(notes[0].severity, 'warning');
  });

  test('strategy image: the running image and digest from the environment\'s deployed: command; a failing command is said with the host', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const services = original.replace(/    paths: \["apps\/api\/\*\*"\]\n/, '    paths: ["apps/api/**"]\n    image: "registry.example/shop-api:{tag}"\n');
    writeFileSync(yml, services.replace(/environments:\n(  .*\n|    .*\n)*/, `environments:\n  production:\n    host: prod-1\n    path: ${prod}\n    strategy: image\n    deployed: "echo registry.example/shop-api:v1.3.0 ${digest} for {service}"\n  broken:\n    host: prod-2\n    path: ${prod}\n    strategy: image\n    deployed: "echo no such container {service} >&2; exit 1"\n`));
    const h = hosts();
    const status = new EnvironmentStatus(workspaceAt(repo.dir), h);
    await status.read();
    const [production, broken] = status.current();
    assert.equal(production.text, `production on prod-1 (${prod}): api runs registry.example/shop-api:v1.3.0 (sha256:abababababab…)`);
    assert.equal(production.problem, false);
    assert.ok(h.commands.some((c) => c.startsWith('prod-1: ') && / for '?api'?$/.test(c)), 'the deployed: command ran on the host with the service filled in');
    assert.equal(broken.problem, true);
    assert.match(broken.text, /^broken on prod-2 \(.*\): api: prod-2: the image of api could not be read \(deployed: failed: no such container api\)$/);
  });

  test('after the first paint the read runs once, behind the paint, with the runners that ask nothing; an unknown host key waits for Refresh', async () => {
    withEnvironments(`  production:\n    host: prod-1\n    path: ${prod}\n`);
    const asking = hosts();
    const quiet: string[] = [];
    const deferred: Array<() => void> = [];
    const status = new EnvironmentStatus(workspaceAt(repo.dir), asking, {
      quietRunnerFor: (where) => {
        quiet.push(where);
        return { where, run: async () => ({ code: null, signal: null, stdout: '', stderr: `the host key of 127.0.0.1:2222 (SHA256:abc) was not accepted\n`, durationMs: 1 }), dispose: async () => undefined };
      },
      defer: (fn) => deferred.push(fn),
    });
    const painted = new Promise<void>((resolve) => status.onDidChange(resolve));
    status.afterFirstPaint();
    status.afterFirstPaint();
    assert.equal(deferred.length, 1, 'once per window');
    assert.deepEqual(quiet, [], 'nothing is read before the paint has its nodes');
    deferred[0]();
    await painted;
    assert.deepEqual(quiet, ['local', 'prod-1']);
    assert.equal(asking.made.filter((w) => w !== 'local').length, 0, 'no runner that may ask about a host key');
    assert.match(status.current()[0].text, /could not be read: Cannot read what is deployed on prod-1: the host key of 127\.0\.0\.1:2222 \(SHA256:abc\) is not in known_hosts yet: Rollback: Refresh asks whether to trust it/);
    await status.read();
    assert.equal(status.current()[0].text, `production: v1.3.0 on prod-1 (${prod})`, 'Refresh reads with the runners that may ask');
  });
});
