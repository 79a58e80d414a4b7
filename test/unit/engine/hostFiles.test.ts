// The host's own files across a rollback, on a real repository: release v1 tracks a
// settings.env template and public/robots.txt; v2 stops tracking settings.env (and ignores
// it) and drops robots.txt. The host, on v2, has its real settings.env (its only copy, with
// the DB password, mode 600), its own robots.txt (untracked), an uploads/ folder a running
// service writes to, an untracked note and an uncommitted edit to a tracked file. Rolling
// back to v1 (revert and checkout, locally and over the real sshd) must keep every one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RollbackConfig } from '../../../src/core/config/types';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlanWithHostFiles, inspectHostFiles } from '../../../src/core/plan/inspectHostFiles';
import { buildPlan } from '../../../src/core/plan/planner';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import type { RollbackPlan } from '../../../src/core/plan/types';
import type { CommandRunner } from '../../../src/core/ports';
import { RollbackEvents } from '../../../src/core/run/events';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { sshdUnavailable, startSshd, TEST_USER, type TestSshd } from '../../support/sshd';
import { git, ScriptedPrompter, tempDir } from './helpers';

const PASSWORD_ENV = 'DB_HOST=db.internal\nDB_PASSWORD=only-copy-7f3a9c\n';
const TEMPLATE_ENV = 'DB_HOST=localhost\nDB_PASSWORD=change-me\n';
const HOST_ROBOTS = 'User-agent: *\nDisallow: /admin/\n';
const UPLOADS: Record<string, Buffer> = {
  'uploads/invoice-1.pdf': Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x0a]),
  'uploads/2026/12/photo.jpg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]),
};

interface Releases {
  dir: string;
  v1: string;
  v2: string;
  /** The v2 commit that stopped tracking settings.env and dropped robots.txt (before the last one). */
  untrack: string;
}

/** The workspace repository: v1, then two commits to v2. */
function makeReleases(dir: string): Releases {
  mkdirSync(dir, { recursive: true });
  const g = (...args: string[]): string => git(dir, ...args);
  const write = (p: string, text: string): void => {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  };
  g('init', '-q', '-b', 'main');
  g('config', 'user.name', 'Dana Deployer');
  g('config', 'user.email', 'dana@shop.example');
  g('config', 'commit.gpgsign', 'false');
  write('.gitignore', 'node_modules/\n');
  write('app.txt', 'version 1\n');
  write('README.md', '# Shop\n');
  write('settings.env', TEMPLATE_ENV);
  write('public/robots.txt', 'User-agent: *\n');
  g('add', '-A');
  g('commit', '-q', '-m', 'v1');
  g('tag', '-a', 'v1', '-m', 'Release v1');
  // v2: settings.env becomes the host's own business (ignored), robots.txt is dropped.
  write('.gitignore', 'node_modules/\nsettings.env\n');
  g('rm', '-q', '--cached', 'settings.env');
  g('rm', '-q', 'public/robots.txt');
  write('app.txt', 'version 2\n');
  g('add', '-A');
  g('commit', '-q', '-m', 'Stop tracking settings.env; drop robots.txt');
  const untrack = g('rev-parse', 'HEAD');
  write('app.txt', 'version 2.1\n');
  g('commit', '-q', '-am', 'v2 polish');
  g('tag', '-a', 'v2', '-m', 'Release v2');
  return { dir, v1: g('rev-parse', 'v1^{commit}'), v2: g('rev-parse', 'v2^{commit}'), untrack };
}

/** What the host has that git does not know about, as a deploy of v2 left it and the host's people added. */
function populateHost(dir: string, owner?: string): void {
  writeFileSync(join(dir, 'settings.env'), PASSWORD_ENV);
  chmodSync(join(dir, 'settings.env'), 0o600);
  mkdirSync(join(dir, 'public'), { recursive: true });
  writeFileSync(join(dir, 'public/robots.txt'), HOST_ROBOTS);
  chmodSync(join(dir, 'public/robots.txt'), 0o640);
  for (const [p, bytes] of Object.entries(UPLOADS)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), bytes);
  }
  writeFileSync(join(dir, 'notes.txt'), 'on-call notes\n');
  writeFileSync(join(dir, 'README.md'), '# Shop\n\nEdited on the host.\n');
  if (owner !== undefined) execFileSync('chown', ['-R', `${owner}:`, dir]);
}

const inodes = (dir: string): Record<string, number> => Object.fromEntries(Object.keys(UPLOADS).map((p) => [p, statSync(join(dir, p)).ino]));
const mode = (p: string): number => statSync(p).mode & 0o777;

function config(host: string, path: string, strategy: 'revert' | 'checkout'): RollbackConfig {
  return {
    releases: { tags: 'v*' },
    environments: [{ name: 'production', host, path, branch: 'main', strategy, push: false, configFiles: [], commandTimeoutMs: 60_000 }],
    services: [],
    migrations: {},
    notify: { webhook: false, escalateAtMinutes: [] },
    isDefault: false,
  };
}

/** Every stash of the host: none may hold an untracked-files commit (uploads, notes stay out of stashes). */
function stashes(dir: string): Array<{ ref: string; untracked: boolean; files: string[] }> {
  const refs = git(dir, 'stash', 'list', '--format=%gd').split('\n').filter(Boolean);
  return refs.map((ref) => {
    let untracked = true;
    try {
      git(dir, 'rev-parse', '-q', '--verify', `${ref}^3`);
    } catch {
      untracked = false;
    }
    return { ref, untracked, files: git(dir, 'stash', 'show', '--name-only', ref).split('\n').filter(Boolean) };
  });
}

/**
 * Plans (reading the host's files for the preview), runs, and checks what a careful on-call
 * engineer would: the password file byte for byte with its mode, the host's robots.txt, the
 * uploads never moved (checked at every step, same inodes after), nothing but the tracked edit stashed.
 */
async function rollBackAndCheck(opts: { host: string; hostDir: string; releases: Releases; strategy: 'revert' | 'checkout'; runnerFor: (where: string) => CommandRunner; journals: FileJournalStore }): Promise<RollbackPlan> {
  const { hostDir, releases } = opts;
  const before = inodes(hostDir);
  const plan = await buildPlanWithHostFiles(
    { config: config(opts.host, hostDir, opts.strategy), environment: 'production', git: gitQueriesVia(new LocalCommandRunner(), releases.dir), from: 'v2', to: 'v1', targetSource: 'previous-tag', reason: 'checkout page 500s', createdBy: 'dana@laptop' },
    opts.runnerFor,
  );
  const found = plan.hostFiles?.found;
  assert.ok(found && !found.error, `the host's files were read: ${found?.error}`);
  assert.deepEqual(found.wouldOverwrite, [
    { path: 'settings.env', kind: 'ignored' },
    { path: 'public/robots.txt', kind: 'untracked' },
  ]);
  assert.deepEqual(found.wouldMove, ['README.md']);
  const preview = renderPlanMarkdown(plan);
  assert.match(preview, /## Host files/);
  assert.match(preview, /- `settings\.env` — ignored: stays in place until the code step overwrites it; put back after the code step \(the host's version wins\)\./);
  assert.match(preview, /- `public\/robots\.txt` — untracked: moved aside/);
  assert.match(preview, new RegExp(`\\.rollback/saved/${plan.id}/files/`));
  assert.doesNotMatch(preview.split('## Steps')[0], /uploads\/|notes\.txt/, 'files not in the way are not listed as overwritten');
  assert.doesNotMatch(preview, /include-untracked/);
  const ids = plan.steps.map((s) => s.id);
  const code = opts.strategy === 'revert' ? 'code-revert' : 'code-checkout';
  assert.deepEqual(ids.slice(ids.indexOf('stash')), ['stash', 'save-host-files', code, 'restore-host-files', 'notify-end']);

  // The uploads must be there whenever a step starts or ends: a running service never loses them.
  const missing: string[] = [];
  const events = new RollbackEvents();
  events.on((e) => {
    if (e.type !== 'step-started' && e.type !== 'step-finished') return;
    for (const p of Object.keys(UPLOADS)) if (!existsSync(join(hostDir, p))) missing.push(`${p} at ${e.type} ${'stepId' in e ? e.stepId : e.step.id}`);
  });
  const result = await new RollbackRunner({ runnerFor: opts.runnerFor, journals: opts.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), events, operator: 'dana@laptop' }).run(plan);
  assert.equal(result.success, true, `${result.state}\n${JSON.stringify(result.journal.steps, null, 1)}`);

  // The code is v1's.
  if (opts.strategy === 'checkout') assert.equal(git(hostDir, 'rev-parse', 'HEAD'), releases.v1);
  else assert.equal(git(hostDir, 'diff', '--quiet', releases.v1, 'HEAD'), '', 'the revert commit has exactly v1 tree');
  assert.equal(readFileSync(join(hostDir, 'app.txt'), 'utf8'), 'version 1\n');
  // The host's files are its own, byte for byte, with their modes.
  assert.deepEqual(readFileSync(join(hostDir, 'settings.env')), Buffer.from(PASSWORD_ENV));
  assert.equal(mode(join(hostDir, 'settings.env')), 0o600);
  assert.equal(readFileSync(join(hostDir, 'public/robots.txt'), 'utf8'), HOST_ROBOTS);
  assert.equal(mode(join(hostDir, 'public/robots.txt')), 0o640);
  // The copies stay on the target, under the run's folder, byte for byte.
  const saved = join(hostDir, '.rollback/saved', plan.id);
  assert.deepEqual(readFileSync(join(saved, 'files/settings.env')), Buffer.from(PASSWORD_ENV));
  assert.equal(mode(join(saved, 'files/settings.env')), 0o600);
  assert.equal(readFileSync(join(saved, 'files/public/robots.txt'), 'utf8'), HOST_ROBOTS);
  assert.equal(readFileSync(join(saved, 'manifest'), 'utf8'), 'I\tsettings.env\nU\tpublic/robots.txt\n');
  assert.equal(mode(saved), 0o700, 'the saved folder (a copy of the password) is the owner\'s only');
  assert.equal(git(hostDir, 'status', '--porcelain', '--ignored', '--', '.rollback'), '!! .rollback/', '.rollback/ stays ignored');
  // Uploads: never missing, never moved (same inodes), in no stash; the note too.
  assert.deepEqual(missing, []);
  assert.deepEqual(inodes(hostDir), before);
  for (const [p, bytes] of Object.entries(UPLOADS)) assert.deepEqual(readFileSync(join(hostDir, p)), bytes);
  assert.equal(readFileSync(join(hostDir, 'notes.txt'), 'utf8'), 'on-call notes\n');
  assert.deepEqual(stashes(hostDir), [{ ref: 'stash@{0}', untracked: false, files: ['README.md'] }]);
  assert.equal(result.journal.stash?.message, `rollback-pilot: ${plan.id}`);
  const saveOut = result.journal.steps.find((s) => s.stepId === 'save-host-files')?.outputTail ?? '';
  assert.match(saveOut, /saved settings\.env \(ignored/);
  assert.match(saveOut, /2 file\(s\) saved in .*; to put them all back by hand: cd /);
  assert.match(result.journal.steps.find((s) => s.stepId === 'restore-host-files')?.outputTail ?? '', /put back settings\.env \(the host's copy\)/);
  return plan;
}

describe('host files around the code step (real git repository, local runner)', () => {
  const tmp = tempDir('hostfiles');
  after(() => tmp.cleanup());
  let n = 0;
  const fresh = (): { releases: Releases; host: string; journals: FileJournalStore } => {
    const base = join(tmp.dir, `case-${++n}`);
    const releases = makeReleases(join(base, 'workspace'));
    execFileSync('git', ['clone', '-q', releases.dir, join(base, 'host')]);
    const host = join(base, 'host');
    git(host, 'config', 'user.name', 'Deploy Bot');
    git(host, 'config', 'user.email', 'deploy@shop.example');
    git(host, 'checkout', '-q', '--detach', 'v2');
    populateHost(host);
    return { releases, host, journals: new FileJournalStore(join(base, 'journals')) };
  };
  const local = (): CommandRunner => new LocalCommandRunner();

  for (const strategy of ['revert', 'checkout'] as const) {
    test(`${strategy} v2 → v1: the ignored settings.env and the untracked robots.txt survive byte for byte, uploads/ never moves`, async () => {
      const f = fresh();
      await rollBackAndCheck({ host: 'local', hostDir: f.host, releases: f.releases, strategy, runnerFor: local, journals: f.journals });
    });
  }

  test('the save step is idempotent and its resume check tells when it is done; the restore check too', async () => {
    const f = fresh();
    const plan = await buildPlan({ config: config('local', f.host, 'checkout'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v2', to: 'v1', targetSource: 'user', reason: 'x', createdBy: 'dana@laptop', runId: 'rb-idem' });
    const save = plan.steps.find((s) => s.id === 'save-host-files')!;
    const restore = plan.steps.find((s) => s.id === 'restore-host-files')!;
    const run = (c: { command: string; cwd?: string }) => local().run(c.command, { cwd: c.cwd });
    assert.equal((await run(save.alreadyDone!)).code, 1, 'not done before it ran');
    const first = await run(save.commands[0]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((await run(save.alreadyDone!)).code, 0);
    const again = await run(save.commands[0]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already saved/);
    assert.equal(readFileSync(join(f.host, '.rollback/saved/rb-idem/manifest'), 'utf8'), 'I\tsettings.env\nU\tpublic/robots.txt\n');
    assert.ok(!existsSync(join(f.host, 'public/robots.txt')), 'the untracked file is moved aside for the checkout');
    assert.equal((await run(restore.alreadyDone!)).code, 1, 'the restore is not done yet');
    const r = await run(restore.commands[0]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await run(restore.alreadyDone!)).code, 0);
    assert.equal(readFileSync(join(f.host, 'public/robots.txt'), 'utf8'), HOST_ROBOTS);
  });

  test('a revert that conflicts is aborted and the ignored settings.env it wrote over comes back; the run stops with it intact', async () => {
    const f = fresh();
    // Reverting only the commit that stopped tracking settings.env re-adds the template and conflicts on app.txt.
    const plan = await buildPlanWithHostFiles(
      { config: config('local', f.host, 'revert'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v2', to: 'v1', revertCommit: f.releases.untrack, targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' },
      local,
    );
    assert.match(plan.steps.find((s) => s.id === 'code-revert')!.onFailure!.command, /git revert --abort[\s\S]*put back/);
    const prompter = new ScriptedPrompter([{ action: 'stop' }]);
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter, http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, false);
    assert.equal(prompter.failures[0]?.step.id, 'code-revert');
    assert.equal(prompter.failures[0]?.state.cleanedUp, true, 'the cleanup (abort + put back) succeeded');
    assert.equal(git(f.host, 'rev-parse', 'HEAD'), f.releases.v2);
    assert.deepEqual(readFileSync(join(f.host, 'settings.env')), Buffer.from(PASSWORD_ENV));
    assert.equal(mode(join(f.host, 'settings.env')), 0o600);
    // The untracked robots.txt waits in the saved folder; the preview and the save step's output give the command that puts it back.
    assert.equal(readFileSync(join(f.host, '.rollback/saved', plan.id, 'files/public/robots.txt'), 'utf8'), HOST_ROBOTS);
    const hint = /^\d+ file\(s\) saved in .*; to put them all back by hand: (.*)$/m.exec(result.journal.steps.find((s) => s.stepId === 'save-host-files')!.outputTail ?? '')?.[1];
    assert.ok(hint, 'the save step printed the command');
    assert.ok(renderPlanMarkdown(plan).includes(hint), 'the preview shows the same command');
    execFileSync('sh', ['-c', hint]);
    assert.equal(readFileSync(join(f.host, 'public/robots.txt'), 'utf8'), HOST_ROBOTS);
  });

  test('a conflicting revert switched to the checkout fallback: the host files survive that way too', async () => {
    const f = fresh();
    const plan = await buildPlanWithHostFiles(
      { config: config('local', f.host, 'revert'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v2', to: 'v1', revertCommit: f.releases.untrack, targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' },
      local,
    );
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter: new ScriptedPrompter([{ action: 'switch-to-checkout' }]), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, result.state);
    assert.deepEqual(result.journal.steps.map((s) => s.stepId).slice(2, 6), ['stash', 'save-host-files', 'code-checkout', 'restore-host-files']);
    assert.equal(git(f.host, 'rev-parse', 'HEAD'), f.releases.v1);
    assert.deepEqual(readFileSync(join(f.host, 'settings.env')), Buffer.from(PASSWORD_ENV));
    assert.equal(readFileSync(join(f.host, 'public/robots.txt'), 'utf8'), HOST_ROBOTS);
  });

  test('a file listed in configFiles keeps the release version (the plan restores it from there); the preview and the restore offer the exact command for the host copy', async () => {
    const f = fresh();
    const cfg = config('local', f.host, 'checkout');
    cfg.environments[0].configFiles = ['settings.env'];
    const plan = await buildPlanWithHostFiles({ config: cfg, environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v2', to: 'v1', targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' }, local);
    assert.ok(plan.steps.some((s) => s.id === 'config-restore'));
    const preview = renderPlanMarkdown(plan);
    const offered = /- `settings\.env` — ignored: [^;]*; the plan restores it from v1 \(configFiles\), so v1's version stays; to put the host's copy back: `([^`]+)`/.exec(preview)?.[1];
    assert.ok(offered, preview.split('## Steps')[0]);
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, result.state);
    assert.equal(readFileSync(join(f.host, 'settings.env'), 'utf8'), TEMPLATE_ENV, 'the release version, as configFiles asks');
    assert.match(result.journal.steps.find((s) => s.stepId === 'restore-host-files')?.outputTail ?? '', /kept settings\.env as the release has it/);
    assert.equal(readFileSync(join(f.host, 'public/robots.txt'), 'utf8'), HOST_ROBOTS, 'the others are put back');
    execFileSync('sh', ['-c', offered]);
    assert.deepEqual(readFileSync(join(f.host, 'settings.env')), Buffer.from(PASSWORD_ENV));
    assert.equal(mode(join(f.host, 'settings.env')), 0o600);
  });

  /** A workspace whose v1 tracks `names` (templates) and whose v2 ignores them; a host on v2 with its own copies. */
  function namesCase(names: string[]): { releases: Releases; host: string; journals: FileJournalStore } {
    const base = join(tmp.dir, `case-${++n}`);
    const dir = join(base, 'workspace');
    const releases = makeReleases(dir);
    for (const name of names) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), 'template\n');
    }
    // v3 = v1 plus the templates; v4 ignores them again: the rollback goes v4 → v3.
    git(dir, 'checkout', '-q', '-b', 'names', 'v1');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'v3: templates');
    git(dir, 'tag', '-a', 'v3', '-m', 'v3');
    writeFileSync(join(dir, '.gitignore'), 'cfg/\n/-n.env\n');
    git(dir, 'rm', '-q', '-r', '--cached', '--', ...new Set(names.map((x) => x.split('/')[0])));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'v4: cfg/ is the host\'s');
    git(dir, 'tag', '-a', 'v4', '-m', 'v4');
    const host = join(base, 'host');
    execFileSync('git', ['clone', '-q', dir, host]);
    git(host, 'checkout', '-q', '--detach', 'v4');
    for (const name of names) {
      mkdirSync(join(host, name, '..'), { recursive: true });
      writeFileSync(join(host, name), `host secret for ${JSON.stringify(name)}\n`);
    }
    return { releases, host, journals: new FileJournalStore(join(base, 'journals')) };
  }

  test('hostile file names in the way are saved and put back as data, never run', async () => {
    const names = ["cfg/it's $(touch PWNED) `touch PWNED2`.env", 'cfg/-rf --no-preserve-root.env', 'cfg/sp ace/a;b|c&d.env', 'cfg/ünï.env', '-n.env'];
    const f = namesCase(names);
    const plan = await buildPlanWithHostFiles(
      { config: config('local', f.host, 'checkout'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v4', to: 'v3', targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' },
      local,
    );
    assert.deepEqual(plan.hostFiles?.found?.wouldOverwrite.map((x) => x.path).sort(), [...names].sort());
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, result.state);
    for (const name of names) assert.equal(readFileSync(join(f.host, name), 'utf8'), `host secret for ${JSON.stringify(name)}\n`, name);
    for (const canary of ['PWNED', 'PWNED2', 'cfg/PWNED']) assert.equal(existsSync(join(f.host, canary)), false, `${canary} must never appear`);
    assert.equal(existsSync(join(process.cwd(), 'PWNED')), false);
  });

  test('a name with a newline in the way: the preview says the save step will refuse, and it does, before the code step', async () => {
    const f = namesCase(['cfg/two\nlines.env', 'cfg/plain.env']);
    const plan = await buildPlanWithHostFiles(
      { config: config('local', f.host, 'checkout'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v4', to: 'v3', targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' },
      local,
    );
    assert.equal(plan.hostFiles?.found?.blocked.length, 1);
    assert.match(renderPlanMarkdown(plan), /The save step will refuse, so the code step does not run/);
    const prompter = new ScriptedPrompter([{ action: 'stop' }]);
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter, http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, false);
    assert.equal(prompter.failures[0]?.step.id, 'save-host-files');
    assert.match(prompter.failures[0]?.state.detail ?? '', /newline or control character/);
    assert.equal(git(f.host, 'rev-parse', 'HEAD'), git(f.releases.dir, 'rev-parse', 'v4^{commit}'), 'the code step never ran');
    assert.equal(readFileSync(join(f.host, 'cfg/two\nlines.env'), 'utf8'), `host secret for ${JSON.stringify('cfg/two\nlines.env')}\n`);
  });

  test('inspection of a host whose path is not a git repository says so instead of listing nothing', async () => {
    const dir = join(tmp.dir, 'not-a-repo');
    mkdirSync(dir, { recursive: true });
    const found = await inspectHostFiles(local(), dir, 'a'.repeat(40), 'checkout');
    assert.ok(found.error, 'an error is reported');
    assert.match(found.error, /not-a-repo/);
    assert.deepEqual(readdirSync(dir), [], 'nothing was written there');
  });
});

const notRoot = process.getuid?.() !== 0 ? sshdUnavailable() : undefined;

describe('host files around the code step over SSH (real sshd, real git on the target)', { skip: notRoot }, () => {
  let sshd: TestSshd;
  const tmp = tempDir('hostfiles-ssh');
  before(async () => {
    sshd = await startSshd();
    chmodSync(tmp.dir, 0o755);
  });
  after(async () => {
    await sshd?.stop();
    tmp.cleanup();
  });

  for (const strategy of ['revert', 'checkout'] as const) {
    test(`${strategy} v2 → v1 over SSH: settings.env survives byte for byte, uploads/ stays, the preview lists settings.env`, async () => {
      const base = join(tmp.dir, strategy);
      mkdirSync(base, { recursive: true });
      chmodSync(base, 0o755);
      const releases = makeReleases(join(base, 'workspace'));
      const host = join(base, 'srv-app');
      execFileSync('git', ['clone', '-q', releases.dir, host]);
      git(host, 'config', 'user.name', 'Deploy Bot');
      git(host, 'config', 'user.email', 'deploy@shop.example');
      git(host, 'checkout', '-q', '--detach', 'v2');
      const uid = Number(execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).trim());
      populateHost(host, TEST_USER);
      const made: SshCommandRunner[] = [];
      const runnerFor = (where: string): CommandRunner => {
        if (where === 'local') return new LocalCommandRunner();
        const r = new SshCommandRunner({
          destination: where,
          hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') },
          knownHostsFiles: [sshd.knownHostsPath],
          identityFiles: [sshd.keyPath],
          sshConfigFile: join(base, 'no-ssh-config'),
          agent: false,
        });
        made.push(r);
        return r;
      };
      const destination = `${sshd.user}@127.0.0.1:${sshd.port}`;
      const plan = await rollBackAndCheck({ host: destination, hostDir: host, releases, strategy, runnerFor, journals: new FileJournalStore(join(base, 'journals')) });
      assert.equal(plan.where, destination);
      // The files on the host belong to the deploy user, as they did.
      assert.equal(statSync(join(host, 'settings.env')).uid, uid);
      assert.equal(statSync(join(host, '.rollback/saved', plan.id, 'files/settings.env')).uid, uid);
      assert.equal(made.length, 2, 'one connection to read the host files for the preview, one for the run');
    });
  }
});
