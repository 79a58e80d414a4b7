// The host's own files around the code step. A checkout or revert writes every path the
// target release tracks: git silently overwrites an IGNORED file there (a host's only copy
// of settings.env, say) and refuses to touch an UNTRACKED one. The stash therefore takes
// tracked changes only (untracked runtime files such as uploads/ stay where the running
// service has them), and two steps around the code step deal with the files in its way:
// the save step copies them to `.rollback/saved/<run>/files/` (paths, modes and bytes kept),
// moves the untracked ones aside, and the restore step puts the host's copies back after
// the code step (the host's version wins: it is host-specific config). The lists are
// facts of the target, so the scripts compute them on the target when they run; the
// preview shows what the same listing found at planning time.
import type { PlanCommand, PlanStep } from './types';
import { shJoin, shQuote, UnsafeValueError, validateSha } from './shellQuote';

type At = (command: string, extra?: Partial<PlanCommand>) => PlanCommand;

/** Where the save step keeps the files of one run, relative to the working tree. */
export function savedDir(runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) throw new UnsafeValueError('run id', runId, 'must be letters, digits, ".", "_" or "-" (it names the folder of saved files)');
  return `.rollback/saved/${runId}`;
}

/** The tab that separates a listing's kind from its path. */
const TAB = `T=$(printf '\\t')`;

/** Tracked changes only, and never `.rollback/` (the run's own records, ignored by its `*` .gitignore). */
const STASH_PATHS = `-- . ${shQuote(':(exclude).rollback')}`;

export function stashStep(at: At, runId: string): PlanStep {
  const message = `rollback-pilot: ${runId}`;
  return {
    id: 'stash',
    kind: 'code',
    title: 'Stash uncommitted changes to tracked files',
    why:
      `Uncommitted changes to tracked files are kept in a stash named "${message}" (git stash list) and never lost. ` +
      'Untracked and ignored files are not stashed: runtime files (uploads, logs) stay in place under the running service, and those the code step would overwrite are saved by the next step.',
    commands: [at(`if [ -n "$(git status --porcelain --untracked-files=no ${STASH_PATHS})" ]; then git stash push -m ${shQuote(message)} ${STASH_PATHS}; else echo 'nothing to stash'; fi`)],
    destructive: false,
    stashMessage: message,
  };
}

/**
 * Shell functions shared by the save step and the planning-time inspection. `rp_list`
 * prints one line per file in the way of the code step: `I<tab>path` (ignored), `U<tab>path`
 * (untracked), or a refusal: `X` (a name git has to quote: newline or control character),
 * `R` (a path under .rollback/ the release tracks), `E` (git failed). It runs at the
 * repository's top level, where git's paths are relative to.
 */
export function listingFunctions(toSha: string, revertShas: readonly string[] = []): string {
  validateSha(toSha);
  revertShas.forEach(validateSha);
  const added = (a: string, b: string): string => `git -c core.quotePath=false diff --no-renames --name-only --diff-filter=A ${shQuote(a)} ${shQuote(b)} --`;
  const sources = [
    // Paths the target release tracks and HEAD does not: only those can be untracked or ignored now.
    `${added('HEAD', toSha)} || printf 'E\\t%s\\n' ${shQuote(`git diff HEAD ${toSha} failed`)}`,
    // A revert of chosen commits re-adds what those commits removed, which need not be in the target's tree.
    ...revertShas.map((sha) => `! git rev-parse -q --verify ${shQuote(`${sha}^1`)} >/dev/null || ${added(sha, `${sha}^1`)} || printf 'E\\t%s\\n' ${shQuote(`git diff ${sha} ${sha}^1 failed`)}`),
  ];
  return [
    TAB,
    `rp_pre=$(git rev-parse --show-prefix) || exit 1`,
    `rp_kind() {`,
    `  git --literal-pathspecs ls-files --error-unmatch -- "$1" >/dev/null 2>&1 && return 0`,
    // check-ignore takes path names (no pathspec magic): 0 ignored, 1 not, anything else is an error, never a guess.
    `  git check-ignore -q -- "$1"; case $? in 0) printf 'I\\t%s\\n' "$1" ;; 1) printf 'U\\t%s\\n' "$1" ;; *) printf 'E\\tgit check-ignore failed on %s\\n' "$1" ;; esac`,
    `}`,
    `rp_list() {`,
    `  { ${sources.join('\n    ')}`,
    `  } | while IFS= read -r c; do`,
    `    case $c in E"$T"*) printf '%s\\n' "$c"; continue ;; '"'*) printf 'X\\t%s\\n' "$c"; continue ;; "$rp_pre".rollback|"$rp_pre".rollback/*) printf 'R\\t%s\\n' "$c"; continue ;; esac`,
    `    if [ -d "./$c" ] && [ ! -L "./$c" ]; then`,
    // The release puts a file where the host has a folder: everything git does not track in it is in the way.
    `      git -c core.quotePath=false --literal-pathspecs ls-files --others -- "$c" | while IFS= read -r f; do case $f in '"'*) printf 'X\\t%s\\n' "$f" ;; *) rp_kind "$f" ;; esac; done`,
    `    elif [ -e "./$c" ] || [ -L "./$c" ]; then rp_kind "$c"`,
    `    fi`,
    // The release needs a folder where the host has a file.
    `    p=$c`,
    `    while case $p in */*) true ;; *) false ;; esac; do p=\${p%/*}; if [ -L "./$p" ] || { [ -e "./$p" ] && [ ! -d "./$p" ]; }; then rp_kind "$p"; break; fi; done`,
    `  done | LC_ALL=C sort -u`,
    `}`,
  ].join('\n');
}

/** The saved folder as an absolute path (the scripts `cd` to the repository's top level), and that cd. */
function enter(runId: string): string {
  return [`d="$(pwd)"/${shQuote(savedDir(runId))}`, `cd "./$(git rev-parse --show-cdup)" || exit 1`].join('\n');
}

/** Reads the manifest: k = I or U, p = the path. */
const EACH_SAVED = `while IFS= read -r l; do k=\${l%%"$T"*}; p=\${l#*"$T"}`;

/** The exact command that puts every saved file back by hand (the host's versions over the release's). */
export function restoreByHandCommand(cwd: string, runId: string): string {
  return `cd ${shQuote(cwd)} && cp -pPR ${shQuote(`${savedDir(runId)}/files/.`)} "./$(git rev-parse --show-cdup)"`;
}

/** The exact command that puts one saved file back by hand. */
export function restoreOneByHandCommand(cwd: string, runId: string, path: string): string {
  return `cd ${shQuote(cwd)} && cp -pP ${shQuote(`${savedDir(runId)}/files/${path}`)} "./$(git rev-parse --show-cdup)"${shQuote(path)}`;
}

export interface HostFilesSpec {
  at: At;
  runId: string;
  cwd: string;
  toSha: string;
  /** revert strategy: the commits reverted (their removals come back too). */
  revertShas?: readonly string[];
  /** Paths the plan restores from the release (configFiles): saved, but the release's version stays. */
  releaseWins: readonly string[];
  /** What the target held at planning, for the step's text. */
  found?: { count: number };
}

export function saveHostFilesStep(spec: HostFilesSpec): PlanStep {
  const { runId } = spec;
  const dir = savedDir(runId);
  const script = [
    `[ -L .rollback ] && { echo ".rollback in $(pwd) is a symbolic link: the host's files are not saved through it" >&2; exit 1; }`,
    `umask 077`,
    `mkdir -p ${shQuote(`${dir}/files`)} && { [ -e .rollback/.gitignore ] || printf '*\\n' > .rollback/.gitignore; } || exit 1`,
    listingFunctions(spec.toSha, spec.revertShas),
    enter(runId),
    `if [ ! -f "$d/manifest" ]; then`,
    `  rp_list > "$d/list" || exit 1`,
    `  if grep -q "^[EXR]$T" "$d/list"; then`,
    `    ${EACH_SAVED}; case $k in`,
    `      E) echo "could not list the files in the way of the code step: $p" >&2 ;;`,
    `      X) echo "$p has a newline or control character in its name and cannot be saved automatically: move it out of $(pwd) by hand (the code step would overwrite it)" >&2 ;;`,
    `      R) echo "the target release tracks $p: the code step would overwrite the rollback's own records in .rollback/" >&2 ;;`,
    `    esac; done < "$d/list"; exit 1`,
    `  fi`,
    // Copy everything first, then write the manifest, then move the untracked ones aside: a crash at any point leaves every file either in place or listed.
    `  ${EACH_SAVED}`,
    `    case $p in */*) mkdir -p "$d/files/\${p%/*}" || exit 1 ;; esac`,
    `    rm -f "$d/files/$p" && cp -pP "./$p" "$d/files/$p" || { echo "could not save $p to $d/files" >&2; exit 1; }`,
    `    if [ -f "./$p" ] && [ ! -L "./$p" ]; then cmp -s "./$p" "$d/files/$p" || { echo "the saved copy of $p differs from it" >&2; exit 1; }; fi`,
    `    if [ "$k" = I ]; then echo "saved $p (ignored: the code step overwrites it)"; else echo "saved $p (untracked: moved aside, git would refuse to overwrite it)"; fi`,
    `  done < "$d/list"`,
    `  mv -f "$d/list" "$d/manifest" || exit 1`,
    `else echo "already saved: $d/manifest"; fi`,
    `${EACH_SAVED}; if [ "$k" = U ] && { [ -e "./$p" ] || [ -L "./$p" ]; }; then rm -f "./$p" || exit 1; fi; done < "$d/manifest"`,
    `n=$(grep -c '' "$d/manifest")`,
    `if [ "$n" -gt 0 ]; then echo "$n file(s) saved in $d; to put them all back by hand: ${restoreByHandCommand(spec.cwd, runId).replace(/["$`\\]/g, '\\$&')}"; else echo 'no ignored or untracked file is in the way of the code step'; fi`,
  ].join('\n');
  const check = [
    TAB,
    enter(runId),
    `[ -f "$d/manifest" ] || exit 1`,
    `${EACH_SAVED}; if [ "$k" = U ] && { [ -e "./$p" ] || [ -L "./$p" ]; }; then exit 1; fi; done < "$d/manifest"`,
  ].join('\n');
  const now = spec.found ? ` At planning it found ${spec.found.count} (listed under "Host files" above).` : '';
  return {
    id: 'save-host-files',
    kind: 'code',
    title: `Save the host's ignored and untracked files the code step would overwrite`,
    why:
      `Right before the code step, on the target: every file git does not track now at a path the target release tracks is copied to ${dir}/files/ (same path, mode and bytes; listed in ${dir}/manifest). ` +
      `Ignored ones stay in place until the code step overwrites them; untracked ones are moved aside, because git refuses to overwrite them.${now}`,
    commands: [spec.at(script)],
    alreadyDone: spec.at(check),
    destructive: false,
  };
}

/**
 * Puts saved files back: after the code step (all of them, except those the plan restores
 * from the release), or after an aborted revert (the ignored ones, which stayed in place
 * for the code step and which the abort may have deleted).
 */
function putBackScript(runId: string, releaseWins: readonly string[], mode: 'after-code' | 'after-abort'): string {
  return [
    TAB,
    enter(runId),
    `[ -f "$d/manifest" ] || { echo "nothing to put back: no files were saved for this run ($d/manifest is missing: the save step did not run)"; exit 0; }`,
    `set -- ${mode === 'after-code' ? shJoin(releaseWins) : ''}`,
    `fail=0`,
    `${EACH_SAVED}`,
    mode === 'after-abort' ? `  [ "$k" = I ] || continue` : `  keep=0; for x in "$@"; do [ "$x" = "$p" ] && keep=1; done`,
    `  if [ "\${keep:-0}" = 1 ]; then echo "kept $p as the release has it (the plan restores it from the release); the host's copy is $d/files/$p"; continue; fi`,
    `  if [ -d "./$p" ] && [ ! -L "./$p" ]; then echo "cannot put $p back: the release has a folder there; the host's copy is $d/files/$p" >&2; fail=1; continue; fi`,
    `  case $p in */*) mkdir -p "./\${p%/*}" || { echo "cannot put $p back: its folder cannot be made; the host's copy is $d/files/$p" >&2; fail=1; continue; } ;; esac`,
    // Copy beside it, then rename over it: a running service never sees a half-written file.
    `  cp -pP "$d/files/$p" "./$p.rp-restore-$$" && mv -f "./$p.rp-restore-$$" "./$p" || { rm -f "./$p.rp-restore-$$"; echo "could not put $p back; the host's copy is $d/files/$p" >&2; fail=1; continue; }`,
    `  echo "put back $p (the host's copy)"`,
    `done < "$d/manifest"`,
    `exit $fail`,
  ].join('\n');
}

export function restoreHostFilesStep(spec: HostFilesSpec): PlanStep {
  const dir = savedDir(spec.runId);
  const wins = spec.releaseWins.length
    ? ` Except ${spec.releaseWins.join(', ')}: the plan restores ${spec.releaseWins.length === 1 ? 'it' : 'them'} from the release (configFiles), so the release's version stays and the host's copy waits in ${dir}/files/ (the preview gives the command that puts it back).`
    : '';
  const check = [
    TAB,
    enter(spec.runId),
    `[ -f "$d/manifest" ] || exit 0`,
    `set -- ${shJoin(spec.releaseWins)}`,
    `${EACH_SAVED}; keep=0; for x in "$@"; do [ "$x" = "$p" ] && keep=1; done; [ $keep = 1 ] || cmp -s "$d/files/$p" "./$p" || exit 1; done < "$d/manifest"`,
  ].join('\n');
  return {
    id: 'restore-host-files',
    kind: 'code',
    title: `Put the host's saved files back`,
    why: `The host's version wins: the files saved from ${dir}/files/ replace what the code step wrote there (host-specific config such as an env file), with their modes.${wins}`,
    commands: [spec.at(putBackScript(spec.runId, spec.releaseWins, 'after-code'))],
    alreadyDone: spec.at(check),
    destructive: false,
  };
}

/** A revert's cleanup (`git revert --abort`) may delete the ignored files it had written over: they come back from the saved copies, so the repository is as it was before the step. */
export function withPutBackAfterAbort(step: PlanStep, spec: HostFilesSpec): PlanStep {
  if (!step.onFailure) return step;
  return { ...step, onFailure: { ...step.onFailure, command: `${step.onFailure.command} || exit 1\n${putBackScript(spec.runId, [], 'after-abort')}` } };
}
