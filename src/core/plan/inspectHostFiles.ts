// Reads on the target, before the preview, which of its files the rollback would touch: the
// same listing the save step runs right before the code step (hostFiles.ts), plus the
// tracked changes the stash would put away. The preview shows the result; the save step
// looks again at run time, so what it saves is true then.
import type { Strategy } from '../config/types';
import type { CommandRunner } from '../ports';
import { listingFunctions } from './hostFiles';
import { buildPlan, type PlanInput } from './planner';
import { shQuote } from './shellQuote';
import type { HostFile, HostFiles, RollbackPlan } from './types';

const none = (): HostFiles => ({ wouldOverwrite: [], wouldMove: [], blocked: [] });

/** Parses the listing's lines (`I|U|X|R|E|M<tab>text`) into what the preview shows. */
export function parseHostFilesListing(stdout: string): HostFiles {
  const found = none();
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab !== 1) continue;
    const [kind, text] = [line[0], line.slice(2)];
    if (kind === 'I' || kind === 'U') found.wouldOverwrite.push({ path: text, kind: kind === 'I' ? 'ignored' : 'untracked' } satisfies HostFile);
    else if (kind === 'M') found.wouldMove.push(text);
    else if (kind === 'X') found.blocked.push(`${text}: a name with a newline or control character (git shows it quoted); the save step refuses until it is moved away by hand`);
    else if (kind === 'R') found.blocked.push(`${text}: the target release tracks a path under .rollback/, where the rollback keeps its records; the save step refuses`);
    else if (kind === 'E') found.error = found.error ? `${found.error}; ${text}` : text;
  }
  return found;
}

/**
 * The target's files in the way of the code step and the tracked changes the stash would
 * move, read in `cwd` over the target's own runner. Never throws: a target that cannot be
 * read gives `error`, and the preview says the save step looks at run time.
 */
export async function inspectHostFiles(runner: CommandRunner, cwd: string, toSha: string, strategy: Strategy): Promise<HostFiles> {
  if (strategy === 'image') return none();
  try {
    const script = [
      listingFunctions(toSha),
      // To the top level as --show-cdup would say, from the prefix already read (one git process fewer): a ../ per folder.
      `rp_up=; p=$rp_pre; while case $p in */*) true ;; *) false ;; esac; do p=\${p#*/}; rp_up="../$rp_up"; done`,
      `cd "./$rp_up" || exit 1`,
      // The tracked changes (git diff HEAD, which stats the whole tree) are read while rp_list runs, and printed after its lines:
      // the pipe holds them meanwhile, and nothing in rp_list reads its standard input.
      `git -c core.quotePath=false diff --no-renames --name-only HEAD -- . ${shQuote(':(exclude).rollback')} | { rp_list; while IFS= read -r f; do printf 'M\\t%s\\n' "$f"; done; }`,
    ].join('\n');
    const r = await runner.run(script, { cwd, timeoutMs: 60_000 });
    if (r.lost) return { ...none(), error: `the connection to ${runner.where} was lost while reading ${cwd}` };
    if (r.code !== 0) return { ...none(), error: `reading ${cwd} on ${runner.where} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}` };
    if (r.droppedBytes?.stdout) return { ...none(), error: `the listing of ${cwd} on ${runner.where} was too large to read whole (${r.droppedBytes.stdout} bytes not kept)` };
    return parseHostFilesListing(r.stdout);
  } catch (e) {
    return { ...none(), error: `could not read ${cwd} on ${runner.where}: ${(e as Error).message}` };
  }
}

/**
 * buildPlan, with the target's host files read in between: the first plan says where the
 * code step runs and to which release, the target is read there, and the plan is built
 * again (same run id and time) with what was found, for the preview. The runner is disposed.
 */
export async function buildPlanWithHostFiles(input: PlanInput, runnerFor: (where: string) => CommandRunner): Promise<RollbackPlan> {
  const first = await buildPlan(input);
  if (first.strategy === 'image') return first;
  const runner = runnerFor(first.where);
  let hostFiles: HostFiles;
  try {
    hostFiles = await inspectHostFiles(runner, first.cwd ?? '.', first.to.sha, first.strategy);
  } finally {
    await runner.dispose().catch(() => undefined);
  }
  return buildPlan({ ...input, runId: first.id, now: new Date(first.createdAt), hostFiles });
}
