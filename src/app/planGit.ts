// The planner's git questions, asked once. What a commit's SHA names never changes (its parents,
// its subject, what changed between two commits, the first-parent range between two SHAs), so
// those answers are kept for the life of the process; refs (tags, HEAD) are resolved again
// every time, since the stale-plan check exists to notice when they move. A range's commits
// are read with one `git log` that also yields their parents and subjects: a plan over N
// commits costs one process instead of 2N, twice (buildPlanWithHostFiles builds twice).
// Refs asked for at the same time (the plan's facts: both releases and HEAD) are resolved by
// one `git rev-parse`, and a question asked again while git is still answering it waits for
// that answer instead of starting a second process.
import type { CommandRunner } from '../core/ports';
import { gitQueriesVia, type PlanGit } from '../core/plan/git';
import { shJoin, validateRef, validateSha } from '../core/plan/shellQuote';

const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

interface Known {
  parents: Map<string, Promise<string[]>>;
  subjects: Map<string, Promise<string>>;
  ranges: Map<string, Promise<string[]>>;
  changed: Map<string, Promise<string[]>>;
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

/** The answer kept (in flight too); a failure is forgotten, so the next asker meets git's own error again. */
function once<T>(map: Map<string, Promise<T>>, key: string, ask: () => Promise<T>): Promise<T> {
  const hit = map.get(key);
  if (hit) return hit;
  const value = ask();
  map.set(key, value);
  value.catch(() => map.delete(key));
  return value;
}

interface Asked {
  ref: string;
  resolve(sha: string): void;
  reject(e: unknown): void;
}

/**
 * revParseCommit with the refs asked in the same turn of the event loop resolved together, by
 * `git rev-parse` with one `<ref>^{commit}` each. Anything but one full SHA per ref (a ref that
 * does not resolve, an ambiguous one) sends each ref to `single` instead, which answers (or
 * fails) exactly as when asked alone.
 */
function batchedRevParse(runner: CommandRunner, cwd: string, single: (ref: string) => Promise<string>): (ref: string) => Promise<string> {
  let queue: Asked[] = [];
  const alone = (a: Asked): void => void single(a.ref).then(a.resolve, a.reject);
  const flush = async (): Promise<void> => {
    const asked = queue;
    queue = [];
    if (asked.length === 1) return alone(asked[0]);
    const command = shJoin(['git', 'rev-parse', '--end-of-options', ...asked.map((a) => `${a.ref}^{commit}`)]);
    const r = await runner.run(command, { cwd, timeoutMs: 30_000 }).catch(() => undefined);
    const lines = r && r.code === 0 && !r.droppedBytes?.stdout ? r.stdout.split('\n').filter(Boolean) : [];
    // Without --verify, older git (2.39 here) echoes --end-of-options back as a line of its own.
    const shas = lines[0] === '--end-of-options' ? lines.slice(1) : lines;
    if (shas.length !== asked.length || !shas.every((s) => FULL_SHA.test(s))) return asked.forEach(alone);
    asked.forEach((a, i) => a.resolve(shas[i]));
  };
  return (ref) => {
    try {
      validateRef(ref);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<string>((resolve, reject) => {
      queue.push({ ref, resolve, reject });
      if (queue.length === 1) queueMicrotask(() => void flush());
    });
  };
}

/**
 * SHAs git has just named as commits of the repository at `cwd` (the release listing's tags,
 * peeled by for-each-ref): resolved as refs later they need no process, like any commit
 * resolved here before.
 */
export function noteKnownCommits(cwd: string, shas: Iterable<string>): void {
  const k = known(cwd);
  for (const sha of shas) if (FULL_SHA.test(sha)) k.commits.add(sha);
}

/** gitQueriesVia(runner, cwd) with the SHA-keyed answers kept, a range read in one go and refs asked together resolved together. */
export function immutablePlanGit(runner: CommandRunner, cwd: string): PlanGit {
  const inner = gitQueriesVia(runner, cwd);
  const k = known(cwd);
  const revParse = batchedRevParse(runner, cwd, (ref) => inner.revParseCommit(ref));
  return {
    async revParseCommit(ref) {
      // A full SHA names the same commit for ever once it exists; any other ref is asked again.
      if (FULL_SHA.test(ref) && k.commits.has(ref)) return ref;
      const sha = await revParse(ref);
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
          k.parents.set(sha, Promise.resolve(line.slice(a + 1, b).split(' ').filter(Boolean)));
          k.subjects.set(sha, Promise.resolve(line.slice(b + 1).trim()));
        }
        return shas;
      }),
    tagsAt: inner.tagsAt && ((sha) => inner.tagsAt!(sha)),
  };
}

/**
 * Starts what the planner will ask first about a plan from → to, all at once: both commits (one
 * rev-parse), then what changed between them and, for a revert of the range, the range. The
 * planner asks the same questions in turn and gets these answers (or their errors) instead of
 * waiting for one process after another; nothing here throws.
 */
export function prefetchPlanQuestions(git: PlanGit, from: string, to: string, needs: { changedFiles: boolean; range: boolean }): void {
  const ask = (fromSha: string, toSha: string): void => {
    if (fromSha === toSha) return;
    if (needs.changedFiles) git.changedFiles(toSha, fromSha).catch(() => undefined);
    if (needs.range) git.firstParentRange(toSha, fromSha).catch(() => undefined);
  };
  const both = Promise.all([git.revParseCommit(from), git.revParseCommit(to)]);
  // Releases are named by their commits' full SHAs: what is between them is asked beside the rev-parse, not after it (keyed by SHA, an answer for another pair is never used).
  if (FULL_SHA.test(from) && FULL_SHA.test(to)) ask(from, to);
  both.then(([fromSha, toSha]) => ask(fromSha, toSha), () => undefined);
}
