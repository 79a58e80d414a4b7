// What is deployed, read from the target itself (production is the source of truth): its
// HEAD and the tags at it, and the environment's pre-deploy snapshot file (runbook 000's
// /tmp/pre-deploy-sha.txt: a SHA or a tag name on its first line), in one command over the
// connection the rollback uses. The laptop's checkout only resolves what the host names.
import type { EnvironmentConfig } from '../config/types';
import type { CommandRunner } from '../ports';
import { shQuote, validatePath, validateRef } from '../plan/shellQuote';

export interface TargetSnapshot {
  /** The file as configured (relative paths are inside the working tree). */
  file: string;
  /** Its first line, trimmed (at most 200 characters), when it could be read. */
  text?: string;
  /** The full SHA it names, resolved in the local repository; undefined when unusable (see `problem`). */
  sha?: string;
  /** Why the snapshot cannot be used, naming the host and the file. */
  problem?: string;
}

export interface DeployedOnTarget {
  where: string;
  cwd: string;
  /** HEAD of the target's working tree, a full SHA. */
  sha: string;
  /** Tags pointing at it there, newest version first; undefined when they were not asked for (readDeployed's `tags`). */
  tags?: string[];
  snapshot?: TargetSnapshot;
  /** ISO time of the read, so a cached value can say how old it is. */
  readAt: string;
}

export class DeployedReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployedReadError';
  }
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * Reads HEAD, its tags and the snapshot file on the target. Throws DeployedReadError (naming
 * the host and the path) when the target cannot be reached or the path is not a git work
 * tree with a commit; a bad snapshot file is not fatal: it comes back with its problem.
 * `resolve` turns what the snapshot names into a full SHA of the local repository (and
 * throws when it is not a commit there). `tags: false` leaves the tags unread: a plan needs
 * only HEAD and the snapshot, and listing every tag is most of this read's cost.
 */
export async function readDeployed(
  runner: CommandRunner,
  env: EnvironmentConfig,
  opts: { cwd?: string; resolve: (ref: string) => Promise<string>; now?: () => Date; tags?: boolean },
): Promise<DeployedOnTarget> {
  const withTags = opts.tags !== false;
  const cwd = validatePath(opts.cwd ?? env.path);
  const place = `${runner.where}:${cwd}`;
  const lines = [
    `p=${shQuote(cwd)}`,
    `[ -d "$p" ] || exit 3`,
    `cd "$p" || exit 3`,
    `head=$(git rev-parse --verify -q 'HEAD^{commit}') || exit 4`,
    `printf 'RP_HEAD=%s\\n' "$head"`,
  ];
  if (withTags) {
    lines.push(
      // The tags at HEAD as `git tag --points-at HEAD --sort=-v:refname` lists them, without its
      // cost: it reads every tag object (50-100 ms with 10,000 tags). show-ref -d takes the peeled
      // commits from packed-refs, so only the few tags it finds at HEAD are asked again, by
      // for-each-ref with the same --points-at (a tag object or the object it tags, one level)
      // and sort. A git without for-each-ref --points-at (before 2.7) lists them the old way.
      `rp_at=$(git show-ref --tags -d 2>/dev/null | sed -n "/^$head /{s/^[^ ]* //;s/\\^{}$//;p;}")`,
      `if [ -n "$rp_at" ]; then git for-each-ref --points-at="$head" --sort=-v:refname --format='RP_TAG=%(refname:strip=2)' $rp_at 2>/dev/null || git tag --points-at HEAD --sort=-v:refname | sed 's/^/RP_TAG=/'; fi`,
    );
  }
  if (env.snapshot) {
    const f = shQuote(validatePath(env.snapshot));
    lines.push(`if [ -r ${f} ] && [ -f ${f} ]; then printf 'RP_SNAP=%s\\n' "$(head -n 1 ${f} | cut -c1-200)"; elif [ -e ${f} ]; then echo RP_SNAP_UNREADABLE; else echo RP_SNAP_MISSING; fi`);
  }
  const r = await runner.run(lines.join('\n'), { timeoutMs: 30_000 });
  if (r.code === null) {
    const why = r.lost ? 'the connection was lost while reading it' : r.timedOut ? 'no answer within 30 s' : r.stderr.trim() || 'the command did not run';
    throw new DeployedReadError(`Cannot read what is deployed on ${runner.where}: ${why}`);
  }
  if (r.code === 3) throw new DeployedReadError(`${place} does not exist: check environments.${env.name}.path in rollback.yml`);
  if (r.code === 4) throw new DeployedReadError(notAWorkTree(place, cwd, r.stderr));
  const out = r.stdout.split('\n');
  const sha = out.find((l) => l.startsWith('RP_HEAD='))?.slice(8).trim() ?? '';
  if (r.code !== 0 || !SHA.test(sha)) throw new DeployedReadError(`Cannot read HEAD in ${place}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] || `exit ${r.code}`}`);
  const tags = withTags ? out.filter((l) => l.startsWith('RP_TAG=')).map((l) => l.slice(7).trim()).filter(Boolean) : undefined;
  const snapshot = env.snapshot ? await judgeSnapshot(env.snapshot, out, runner.where, opts.resolve) : undefined;
  return { where: runner.where, cwd, sha, ...(tags ? { tags } : {}), snapshot, readAt: (opts.now?.() ?? new Date()).toISOString() };
}

async function judgeSnapshot(file: string, out: string[], where: string, resolve: (ref: string) => Promise<string>): Promise<TargetSnapshot> {
  const at = `${where}:${file}`;
  if (out.includes('RP_SNAP_MISSING')) return { file, problem: `${at} does not exist (no pre-deploy snapshot was recorded on the target)` };
  if (out.includes('RP_SNAP_UNREADABLE')) return { file, problem: `${at} exists but cannot be read as a file by ${where}'s user` };
  const line = out.find((l) => l.startsWith('RP_SNAP='));
  const text = (line?.slice(8) ?? '').trim();
  if (text === '') return { file, text, problem: `${at} is empty (its first line names no SHA or tag)` };
  // The runbook's format is the SHA alone; a line with more words may still carry one.
  const ref = SHA.test(text) ? text : (/\b[0-9a-f]{40}\b/.exec(text)?.[0] ?? text);
  try {
    validateRef(ref);
  } catch {
    return { file, text, problem: `${at} holds no SHA or tag name on its first line ("${text.slice(0, 80)}")` };
  }
  try {
    return { file, text, sha: await resolve(ref) };
  } catch {
    return { file, text, problem: `${at} names "${ref.slice(0, 80)}", which is not a commit of the local repository (git fetch --tags, or record a new snapshot)` };
  }
}

/** How the deployed release is called: its newest tag on the target, else the short SHA. */
export function deployedName(d: DeployedOnTarget): string {
  return d.tags?.[0] ?? d.sha.slice(0, 12);
}

/**
 * Why HEAD could not be read, in git's own words when it gave some. A checkout owned by another
 * user than the one we connect as is the usual case on a deploy host: git refuses it
 * ("dubious ownership") although it is a perfectly good work tree.
 */
export function notAWorkTree(place: string, cwd: string, stderr: string): string {
  const said = stderr.split('\n').map((l) => l.trim()).find((l) => l.startsWith('fatal:') || l.startsWith('error:'));
  if (/dubious ownership/.test(stderr)) {
    return `${place} is owned by another user than the one this connects as, so git refuses it (${said ?? 'detected dubious ownership'}): connect as the owner of the checkout, or run there once: git config --global --add safe.directory ${cwd}`;
  }
  return `${place} is not a git work tree with a commit (git rev-parse HEAD failed there${said ? `: ${said}` : ''}): the environment's path must be the deployed checkout`;
}
