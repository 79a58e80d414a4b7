import type { CommandRunner } from '../ports';
import { shJoin, validateRef, validateSha } from './shellQuote';

/**
 * The few git questions the planner asks about the local repository. The releases
 * module's git port provides `revParseCommit` too; `gitQueriesVia` answers all of them
 * through a CommandRunner so the planner stays free of Node APIs.
 */
export interface PlanGit {
  /** Full SHA of `ref` as a commit; throws with git's message when it does not resolve. */
  revParseCommit(ref: string): Promise<string>;
  /** Parent SHAs (two or more for a merge). */
  parents(sha: string): Promise<string[]>;
  /** Commits in to..from along the first-parent chain, newest first. */
  firstParentRange(toSha: string, fromSha: string): Promise<string[]>;
  /** Repo-relative paths that differ between the two commits; a rename is both its paths (the services of either are affected). */
  changedFiles(toSha: string, fromSha: string): Promise<string[]>;
  /** One-line subject of a commit, for the preview. */
  subject(sha: string): Promise<string>;
  /** Tags pointing at the commit, to name a release given as HEAD or a SHA. */
  tagsAt?(sha: string): Promise<string[]>;
}

export class GitQueryError extends Error {
  constructor(command: string, stderr: string) {
    super(`git failed: ${command}\n${stderr.trim()}`);
    this.name = 'GitQueryError';
  }
}

export function gitQueriesVia(runner: CommandRunner, cwd: string): PlanGit {
  const git = async (args: string[]): Promise<string> => {
    const command = shJoin(['git', ...args]);
    const r = await runner.run(command, { cwd, timeoutMs: 30_000 });
    if (r.code !== 0) throw new GitQueryError(command, r.stderr || r.stdout);
    // The runner keeps only the end of a huge output: a plan is never built from part of an answer.
    if (r.droppedBytes?.stdout) throw new GitQueryError(command, `its output was too large to read whole (${r.droppedBytes.stdout} bytes not kept)`);
    return r.stdout;
  };
  return {
    async revParseCommit(ref) {
      validateRef(ref);
      const out = (await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => {
        throw new GitQueryError(`git rev-parse --verify ${ref}^{commit}`, `"${ref}" is not a commit in ${cwd}`);
      })).trim();
      return validateSha(out);
    },
    async parents(sha) {
      validateSha(sha);
      const out = (await git(['rev-list', '--parents', '-n', '1', sha])).trim().split(/\s+/);
      return out.slice(1);
    },
    async firstParentRange(toSha, fromSha) {
      validateSha(toSha);
      validateSha(fromSha);
      const out = await git(['rev-list', '--first-parent', `${toSha}..${fromSha}`]);
      return out.split('\n').filter(Boolean);
    },
    async changedFiles(toSha, fromSha) {
      validateSha(toSha);
      validateSha(fromSha);
      // As GitPort.changedFiles asks it: the plan's services and its migrations read the same answer.
      const out = await git(['diff', '--name-only', '--no-renames', '-z', toSha, fromSha]);
      return out.split('\0').filter(Boolean);
    },
    async subject(sha) {
      validateSha(sha);
      return (await git(['log', '-1', '--format=%s', sha])).trim();
    },
    async tagsAt(sha) {
      validateSha(sha);
      return (await git(['tag', '--points-at', sha, '--sort=-v:refname'])).split('\n').filter(Boolean);
    },
  };
}
