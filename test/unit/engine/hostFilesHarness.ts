// The fixture of the host-files tests (hostFiles.test.ts locally, hostFilesSsh.test.ts over the
// real sshd): the release repository, the host populated with its own files, and one rollback
// checked for every file the host must keep.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RollbackConfig } from '../../../src/core/config/types';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlanWithHostFiles } from '../../../src/core/plan/inspectHostFiles';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import type { RollbackPlan } from '../../../src/core/plan/types';
import type { CommandRunner } from '../../../src/core/ports';
import { RollbackEvents } from '../../../src/core/run/events';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { git, ScriptedPrompter } from './helpers';

export const PASSWORD_ENV = 'DB_HOST=db.internal\nDB_PASSWORD=only-copy-7f3a9c\n';
export const TEMPLATE_ENV = 'DB_HOST=localhost\nDB_PASSWORD=change-me\n';
export const HOST_ROBOTS = 'User-agent: *\nDisallow: /admin/\n';
const UPLOADS: Record<string, Buffer> = {
  'uploads/invoice-1.pdf': Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x0a]),
  'uploads/2026/12/photo.jpg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]),
};

export interface Releases {
  dir: string;
  v1: string;
  v2: string;
  /** The v2 commit that stopped tracking settings.env and dropped robots.txt (before the last one). */
  untrack: string;
}

/** The workspace repository: v1, then two commits to v2. */
export function makeReleases(dir: string): Releases {
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
export function populateHost(dir: string, owner?: string): void {
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

export const inodes = (dir: string): Record<string, number> => Object.fromEntries(Object.keys(UPLOADS).map((p) => [p, statSync(join(dir, p)).ino]));
export const mode = (p: string): number => statSync(p).mode & 0o777;

export function config(host: string, path: string, strategy: 'revert' | 'checkout'): RollbackConfig {
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
export function stashes(dir: string): Array<{ ref: string; untracked: boolean; files: string[] }> {
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
export async function rollBackAndCheck(opts: { host: string; hostDir: string; releases: Releases; strategy: 'revert' | 'checkout'; runnerFor: (where: string) => CommandRunner; journals: FileJournalStore }): Promise<RollbackPlan> {
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
