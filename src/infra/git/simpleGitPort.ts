// GitPort on simple-git. Every call is an explicit argv through `.raw([...])` (no shell
// ever parses it), user refs only ever appear after `--end-of-options`, and simple-git's
// unsafe-operation guards stay on (no `unsafe` overrides), so `--upload-pack=…` and
// friends are refused even if a ref check here were missed. The two exceptions are the
// command line's plain reads (plainRead: the repository state and the tag names), whose
// argv is fixed here apart from the checked tag pattern, and which reach the fork server's
// shell quoted word by word (shJoin).
import { existsSync } from 'node:fs';
import type { SimpleGit } from 'simple-git';
import type { CommitInfo, CommitRange, GitPort, HeadInfo, RepoState, TagListingMemo, TagRef } from '../../core/releases/gitPort';
import { GitPortError, refProblem } from '../../core/releases/gitErrors';
import { shJoin } from '../../core/plan/shellQuote';
import { listingKey, type TagFieldsCache } from './tagCache';
import { cachedTagLines, hasReplaceRefs, namesListing, parseTagLine, tagLines } from './tagReading';

export { parseTagLine, TAG_FORMAT } from './tagReading';

const EXIT_MARK = 'git exited with code ';

export interface SimpleGitPortOptions {
  /** Path of the git executable; default "git" from PATH. */
  binary?: string;
  /** Kill a git process that has been silent this long. */
  silenceTimeoutMs?: number;
  /** Keeps what each tag's object reads as between runs (the command line: tagCache.ts). */
  tagCache?: TagFieldsCache;
  /** Runs the first reads of a listing (the tag names, the repository's state) without simple-git: the command line's fork server. */
  plainRead?: PlainGitRead;
}

/**
 * Runs a git command line (plainGitCommand's) in the repository and gives back its exit code
 * and whole stdout, or undefined when it could not run it. Nothing else is read from it: any
 * answer but a clean exit with all of stdout is asked again through simple-git, whose errors
 * say what is wrong as they always have. The command line uses its fork server
 * (forkServer.ts): simple-git forks this process for each command, 2-3 ms of the main thread
 * at the size a plan on 10,000 tags reaches.
 */
export type PlainGitRead = (command: string) => Promise<{ code: number | null; stdout: string; droppedBytes?: { stdout: number } } | undefined>;

let simpleGit: (typeof import('simple-git'))['simpleGit'] | undefined;

/**
 * simple-git, loaded with the first client rather than at start-up: its module (with debug,
 * tty and its parsers) is set up when it is required, and the command line's plan reads git
 * through its fork server without it (plainRead).
 */
function simpleGitFactory(): (typeof import('simple-git'))['simpleGit'] {
  // A require in the function, not an import: the bundler then loads the module on this first call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  simpleGit ??= (require('simple-git') as typeof import('simple-git')).simpleGit;
  return simpleGit;
}

const COMMIT_FORMAT = ['%H', '%h', '%an', '%ae', '%at', '%P', '%s'].join('%x1f') + '%x1e';

export class SimpleGitPort implements GitPort {
  private git: SimpleGit | undefined;

  constructor(
    readonly dir: string,
    private readonly options: SimpleGitPortOptions = {},
  ) {}

  private client(): SimpleGit {
    this.git ??= this.newClient();
    return this.git;
  }

  private newClient(): SimpleGit {
    if (!existsSync(this.dir)) {
      throw new GitPortError('not-a-repo', `Not a git repository: ${this.dir} does not exist`);
    }
    const custom = this.options.binary !== undefined && this.options.binary !== 'git';
    return simpleGitFactory()({
      baseDir: this.dir,
      binary: this.options.binary ?? 'git',
      maxConcurrentProcesses: 4,
      trimmed: false,
      timeout: { block: this.options.silenceTimeoutMs ?? 60_000 },
      // Only the binary may be customised (a configured path to git); every other guard stays on.
      unsafe: custom ? { allowUnsafeCustomBinary: true } : {},
      errors: (error, result) => {
        if (result.exitCode === 0) return error;
        // simple-git turns whatever we return into a GitError message, so the exit code travels as text.
        const stderr = Buffer.concat(result.stdErr).toString('utf8');
        const detail = stderr || (error instanceof Error ? error.message : '');
        return Buffer.from(`${EXIT_MARK}${result.exitCode}\n${detail}`);
      },
    }).env(cleanEnv(process.env));
  }

  /** A read with a fixed argv (no user ref in it) through plainRead when there is one, else, or when that did not answer cleanly, through simple-git. */
  private async read(args: string[]): Promise<string> {
    const { plainRead } = this.options;
    const command = plainRead && this.options.binary === undefined ? plainGitCommand(args, process.env) : undefined;
    if (plainRead && command !== undefined) {
      const r = await plainRead(command).catch(() => undefined);
      if (r && r.code === 0 && !r.droppedBytes?.stdout) return r.stdout;
    }
    return this.run(args);
  }

  private async run(args: string[], client?: SimpleGit): Promise<string> {
    try {
      return await (client ?? this.client()).raw(args);
    } catch (e) {
      throw toPortError(e, args, this.dir, this.options.binary ?? 'git');
    }
  }

  async isRepo(): Promise<boolean> {
    try {
      await this.run(['rev-parse', '--git-dir']);
      return true;
    } catch (e) {
      if (e instanceof GitPortError && e.kind === 'not-a-repo') return false;
      throw e;
    }
  }

  async repoState(): Promise<RepoState> {
    try {
      // One process: shallow flag, HEAD's SHA, HEAD's symbolic name ("HEAD" when detached).
      const out = await this.read(['rev-parse', '--is-shallow-repository', 'HEAD', '--symbolic-full-name', 'HEAD']);
      const [shallow, sha, full] = out.split('\n');
      return { kind: 'repo', shallow: shallow === 'true', head: headFrom(sha, full) };
    } catch (e) {
      if (e instanceof GitPortError && e.kind === 'not-a-repo') return { kind: 'not-a-repo', message: e.message };
      if (e instanceof GitPortError && e.kind === 'git-missing') throw e;
      // An unborn branch makes `rev-parse HEAD` fail; ask the slower way.
      const [head, shallow] = await Promise.all([this.head(), this.isShallow()]);
      return { kind: 'repo', shallow, head };
    }
  }

  async head(): Promise<HeadInfo> {
    const [sha, symbolic] = await Promise.all([
      this.run(['rev-parse', '-q', '--verify', 'HEAD^{commit}']).then(
        (s) => s.trim(),
        (e: unknown) => (isExit(e, 1) ? undefined : Promise.reject(e)),
      ),
      this.run(['symbolic-ref', '-q', 'HEAD']).then(
        (s) => s.trim(),
        (e: unknown) => (isExit(e, 1) ? 'HEAD' : Promise.reject(e)),
      ),
    ]);
    return headFrom(sha, symbolic);
  }

  async isShallow(): Promise<boolean> {
    return (await this.run(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  }

  async listTags(pattern: string): Promise<TagRef[]> {
    const tags: TagRef[] = [];
    await this.streamTags(pattern, (t) => tags.push(t));
    return tags;
  }

  async streamTags(pattern: string, onTag: (tag: TagRef) => void): Promise<void> {
    await this.readTags(pattern, onTag);
  }

  async collectTags<T>(pattern: string, memo: TagListingMemo<T>): Promise<T> {
    const cache = this.options.tagCache;
    if (!cache) {
      await this.readTags(pattern, (t) => memo.add(t));
      return memo.finish();
    }
    checkPattern(pattern);
    const names = this.read(namesListing(pattern));
    names.catch(() => undefined); // awaited below; its failure is not unhandled meanwhile
    const kept = await cache.loadListing();
    // The memo's format holds the source of the rules that made it: kept by its hash.
    const format = listingKey(memo.format);
    // Decoded while git is still listing the names (this thread would only wait), used only if they are the kept ones.
    const decoded = kept && kept.format === format ? memo.decode(kept.text) : undefined;
    const listing = await names;
    const key = listingKey(listing);
    if (decoded !== undefined && kept?.listingKey === key && !hasReplaceRefs(listing)) return decoded;
    const consistent = await this.readTags(pattern, (t) => memo.add(t), listing);
    const result = memo.finish();
    const text = consistent ? memo.encode(result) : undefined;
    if (text !== undefined) cache.saveListing({ listingKey: key, format, text });
    return result;
  }

  /**
   * Every tag matching the pattern to `onTag`; true when what was read is the listing's own
   * (no replace refs, no tag moved while it was read), so that what was made of it may be kept.
   */
  private async readTags(pattern: string, onTag: (tag: TagRef) => void, listing?: string): Promise<boolean> {
    checkPattern(pattern);
    const nested: Array<Omit<TagRef, 'sha'>> = [];
    const parse = (line: string): void => parseTagLine(line, onTag, nested);
    const cache = this.options.tagCache;
    const reader = { run: (args: string[], client?: SimpleGit) => this.run(args, client), newClient: () => this.newClient() };
    let consistent = false;
    if (cache) consistent = await cachedTagLines(reader, pattern, cache, parse, listing ?? this.read(namesListing(pattern)));
    else await tagLines(reader, [`refs/tags/${pattern}`], parse);
    // A tag of a tag peels only one level in for-each-ref; resolve those few separately.
    for (const tag of nested) {
      try {
        onTag({ ...tag, sha: await this.revParseCommit(`refs/tags/${tag.name}`) });
      } catch (e) {
        // A nested tag that does not end at a commit is not a release.
        if (!(e instanceof GitPortError)) throw e;
      }
    }
    return consistent;
  }

  async commits(range: CommitRange, page: { maxCount: number; skip?: number }): Promise<CommitInfo[]> {
    const args = ['log', `--format=${COMMIT_FORMAT}`, `--max-count=${int(page.maxCount)}`];
    if (page.skip) args.push(`--skip=${int(page.skip)}`);
    args.push('--end-of-options', ...revisions(range), '--');
    const out = await this.run(args);
    return parseCommits(out);
  }

  async countCommits(range: CommitRange): Promise<number> {
    const out = await this.run(['rev-list', '--count', '--end-of-options', ...revisions(range), '--']);
    return Number.parseInt(out.trim(), 10);
  }

  async changedFiles(from: string | undefined, to: string): Promise<string[]> {
    checkRef(to);
    if (from === undefined) {
      const out = await this.run(['ls-tree', '-r', '-z', '--name-only', '--full-tree', '--end-of-options', to]);
      return out.split('\0').filter(Boolean);
    }
    checkRef(from);
    const out = await this.run(['diff', '--name-only', '--no-renames', '-z', '--end-of-options', from, to, '--']);
    return out.split('\0').filter(Boolean);
  }

  async revParseCommit(ref: string): Promise<string> {
    checkRef(ref);
    try {
      const out = await this.run(['rev-parse', '--verify', '-q', '--end-of-options', `${ref}^{commit}`]);
      return out.trim();
    } catch (e) {
      if (e instanceof GitPortError && e.kind === 'failed') {
        throw new GitPortError('bad-ref', `"${ref}" does not name a commit in ${this.dir}`, e.args, e.stderr);
      }
      throw e;
    }
  }
}

function headFrom(sha: string | undefined, symbolic: string | undefined): HeadInfo {
  const detached = !symbolic || symbolic === 'HEAD';
  const head: HeadInfo = { detached };
  if (sha && /^[0-9a-f]{40,64}$/.test(sha)) head.sha = sha;
  if (!detached && symbolic) head.branch = symbolic.replace(/^refs\/heads\//, '');
  return head;
}

function checkRef(ref: string): void {
  const problem = refProblem(ref);
  if (problem) throw new GitPortError('unsafe-ref', `Refusing ref: ${problem}`, [ref]);
}

function revisions(range: CommitRange): string[] {
  checkRef(range.to);
  if (range.from === undefined) return [range.to];
  checkRef(range.from);
  return [range.to, `^${range.from}`];
}

function int(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new GitPortError('failed', `Expected a non-negative integer, got ${n}`);
  return n;
}

function checkPattern(pattern: string): void {
  const problem = patternProblem(pattern);
  if (problem) throw new GitPortError('bad-ref', `Tag pattern ${problem}`, [pattern]);
}

function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'is empty';
  if (/[\x00-\x1f\x7f\s]/.test(pattern)) return `"${pattern}" contains whitespace or a control character`;
  if (pattern.includes('..')) return `"${pattern}" contains ".."`;
  return undefined;
}

function parseCommits(out: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const record of out.split('\x1e')) {
    const line = record.replace(/^\n/, '');
    if (!line) continue;
    const [sha, shortSha, author, authorEmail, date, parents, subject] = line.split('\x1f');
    commits.push({
      sha,
      shortSha,
      author,
      authorEmail,
      date: new Date((Number(date) || 0) * 1000).toISOString(),
      parents: parents ? parents.split(' ') : [],
      subject: subject ?? '',
    });
  }
  return commits;
}

function isExit(e: unknown, code: number): boolean {
  return e instanceof GitPortError && e.kind === 'failed' && e.exitCode === code;
}

/**
 * Our git calls are local and read-only: inherited GIT_* variables (GIT_DIR from a hook,
 * askpass helpers from an editor terminal) could only point them at the wrong repository
 * or trip simple-git's guards, so they are dropped, as is everything else those guards
 * refuse to pass on (in any case of letters: PREFIX, which Termux and some profilers set,
 * GIT_EXEC_PATH, EDITOR, PAGER): with one of them set, simple-git refuses every command, and
 * the releases were "none" with "Refused an unsafe git argument".
 */
function cleanEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || droppedVariable(k)) continue;
    out[k] = v;
  }
  return { ...out, ...SET_FOR_GIT };
}

const droppedVariable = (name: string): boolean => {
  const lower = name.toLowerCase().trim();
  return lower.startsWith('git_') || ['ssh_askpass', 'editor', 'visual', 'pager', 'prefix'].includes(lower);
};

const SET_FOR_GIT = {
  GIT_TERMINAL_PROMPT: '0',
  // Never take index.lock for our reads: other tools (and people) work in the same checkout.
  GIT_OPTIONAL_LOCKS: '0',
  // Error classification below reads git's English messages.
  LC_ALL: 'C',
};

/**
 * The /bin/sh command line that runs git with `args` in the environment simple-git gives it
 * (cleanEnv of `env`, the environment the shell was started with); undefined when a variable
 * to drop has a name no shell can unset.
 */
export function plainGitCommand(args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const drop = Object.keys(env).filter((k) => env[k] !== undefined && droppedVariable(k));
  if (drop.some((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))) return undefined;
  const set = Object.entries(SET_FOR_GIT).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${drop.length ? `unset ${drop.join(' ')}\n` : ''}${set} exec git ${shJoin(args)}`;
}

function toPortError(e: unknown, args: string[], dir: string, binary: string): GitPortError {
  if (e instanceof GitPortError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const marked = new RegExp(`${EXIT_MARK}(\\d+)\\n`).exec(message);
  const exitCode = marked ? Number(marked[1]) : undefined;
  const stderr = marked ? message.slice(marked.index + marked[0].length) : message;
  let err: GitPortError;
  if (/ENOENT/.test(message) && /spawn/.test(message)) {
    err = new GitPortError('git-missing', `Git was not found (tried "${binary}"): install git, or put it on the PATH of the editor`, args, stderr);
  } else if (/not a git repository/i.test(stderr)) {
    err = new GitPortError('not-a-repo', `Not a git repository: ${dir}`, args, stderr);
  } else if (/shallow/i.test(stderr)) {
    err = new GitPortError(
      'shallow',
      `This is a shallow clone and the history needed is missing; run \`git fetch --unshallow\` in ${dir}`,
      args,
      stderr,
    );
  } else if (/is not permitted without enabling|unsafe/i.test(message) && exitCode === undefined) {
    err = new GitPortError('unsafe-ref', `Refused an unsafe git argument: ${message}`, args, stderr);
  } else {
    err = new GitPortError('failed', `git ${args[0]} failed in ${dir}: ${stderr.trim() || message}`, args, stderr);
  }
  if (exitCode !== undefined) err.exitCode = exitCode;
  return err;
}
