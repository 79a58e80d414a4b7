// The planner's git questions, asked once. What a commit's SHA names never changes (its parents,
// its subject, what changed between two commits, the first-parent range between two SHAs), so
// those answers are kept for the life of the process; refs (tags, HEAD) are resolved again
// every time, since the stale-plan check exists to notice when they move. A range's commits
// are read with one `git log` that also yields their parents and subjects: a plan over N
// commits costs one process instead of 2N, twice (buildPlanWithHostFiles builds twice).
import type { CommandRunner } from '../core/ports';
import { gitQueriesVia, type PlanGit } from '../core/plan/git';
import { shJoin, validateSha } from '../core/plan/shellQuote';

const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

interface Known {
  parents: Map<string, string[]>;
  subjects: Map<string, string>;
  ranges: Map<string, string[]>;
  changed: Map<string, string[]>;
  commits: Set<string>;
}

const byRepository = new Map<string, Known>();

function known(cwd: string): Known {
  let k = byRepository.get(cwd);
  if (!k) {
    k = { parents: new Map(), subjects: new Map(), ranges: new Map(), changed: new Map(), commits: new Set() };
    byRepository.set(cwd, k);
  }
  return k;
}

/** gitQueriesVia(runner, cwd) with the SHA-keyed answers kept and a range read in one go. */
export function immutablePlanGit(runner: CommandRunner, cwd: string): PlanGit {
  const inner = gitQueriesVia(runner, cwd);
  const k = known(cwd);
  const once = async <T>(map: Map<string, T>, key: string, ask: () => Promise<T>): Promise<T> => {
    const hit = map.get(key);
    if (hit !== undefined) return hit;
    const value = await ask();
    map.set(key, value);
    return value;
  };
  return {
    async revParseCommit(ref) {
      // A full SHA names the same commit for ever once it exists; any other ref is asked again.
      if (FULL_SHA.test(ref) && k.commits.has(ref)) return ref;
      const sha = await inner.revParseCommit(ref);
      k.commits.add(sha);
      return sha;
    },
    parents: (sha) => once(k.parents, validateSha(sha), () => inner.parents(sha)),
    subject: (sha) => once(k.subjects, validateSha(sha), () => inner.subject(sha)),
    changedFiles: (toSha, fromSha) => once(k.changed, `${validateSha(toSha)}..${validateSha(fromSha)}`, () => inner.changedFiles(toSha, fromSha)),
    firstParentRange: (toSha, fromSha) =>
      once(k.ranges, `${validateSha(toSha)}..${validateSha(fromSha)}`, async () => {
        // One line per commit: SHA, parents, subject (a subject holds no tab or newline: %s is one line, tabs kept, so split on the first two only).
        const command = shJoin(['git', 'log', '--first-parent', '--format=%H%x09%P%x09%s', `${toSha}..${fromSha}`]);
        const r = await runner.run(command, { cwd, timeoutMs: 30_000 });
        if (r.code !== 0 || r.droppedBytes?.stdout) return inner.firstParentRange(toSha, fromSha);
        const shas: string[] = [];
        for (const line of r.stdout.split('\n')) {
          if (!line) continue;
          const a = line.indexOf('\t');
          const b = line.indexOf('\t', a + 1);
          const sha = line.slice(0, a);
          if (!FULL_SHA.test(sha) || a < 0 || b < 0) return inner.firstParentRange(toSha, fromSha);
          shas.push(sha);
          k.commits.add(sha);
          k.parents.set(sha, line.slice(a + 1, b).split(' ').filter(Boolean));
          k.subjects.set(sha, line.slice(b + 1).trim());
        }
        return shas;
      }),
    tagsAt: inner.tagsAt && ((sha) => inner.tagsAt!(sha)),
  };
}
