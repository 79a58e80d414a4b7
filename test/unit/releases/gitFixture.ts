// Builds small real git repositories for the releases tests, with fixed dates so the
// order by date is deterministic, and without reading the user's git configuration.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const BASE_TIME = Date.UTC(2024, 0, 1) / 1000;

export class GitFixture {
  readonly dir: string;
  /** Advanced by every commit and tag so later objects are always newer. */
  private clock = BASE_TIME;

  constructor(parent: string, name = 'repo') {
    this.dir = join(parent, name);
    mkdirSync(this.dir, { recursive: true });
    this.git('init', '-q', '-b', 'main');
  }

  git(...args: string[]): string {
    const date = `${this.clock} +0000`;
    return execFileSync('git', ['-c', 'user.name=Ada Lovelace', '-c', 'user.email=ada@example.com', '-c', 'tag.gpgSign=false', '-c', 'commit.gpgSign=false', ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...gitEnv(), GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
  }

  /** Commits the given files (path → content) and returns the full SHA. */
  commit(subject: string, files: Record<string, string> = {}): string {
    this.clock += 3600;
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', subject);
    return this.git('rev-parse', 'HEAD').trim();
  }

  /** Tags HEAD (or `ref`); annotated tags get a tagger date one minute after the previous event. */
  tag(name: string, opts: { annotated?: boolean; ref?: string; message?: string } = {}): void {
    this.clock += 60;
    const ref = opts.ref ?? 'HEAD';
    if (opts.annotated) this.git('tag', '-a', '-m', opts.message ?? `Release ${name}`, name, ref);
    else this.git('tag', name, ref);
  }

  sha(ref: string): string {
    return this.git('rev-parse', `${ref}^{commit}`).trim();
  }
}

export function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = '/dev/null';
  env.LC_ALL = 'C';
  return env;
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `rp-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: gitEnv() });
}
