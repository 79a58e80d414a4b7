// The preflight: everything that can be checked before the first change, in one script on
// the target (one connection), run right after the lock and before the stash, the database
// steps and the code switch. A fatal check prints one line naming the host and the path on
// stderr and exits 1 (that line becomes the step's detail); the current health of the
// services is only reported ("api is already down: 502"), on stdout, never fatal.
import type { ServiceConfig, Strategy } from '../config/types';
import type { CommandRunner } from '../ports';
import { PlanError } from './planError';
import { identityOfLabel } from './operatorIdentity';
import { shQuote } from './shellQuote';
import { refuse, say } from './shellSay';
import { notAWorkTree } from '../releases/deployedOnTarget';
import type { ChosenBackup } from '../backups/backupsLog';
import { backupCheckLines, backupName } from '../backups/verifyBackup';
import { formatAge } from '../database/backupAge';
import type { PlanCommand, PlanStep, ReleaseRef } from './types';

type At = (command: string, extra?: Partial<PlanCommand>) => PlanCommand;

/** Who a revert commit is by. `fallback` when the operator has no git identity of their own. */
export interface GitIdentity {
  name: string;
  email: string;
  fallback?: boolean;
}

/** Lines of the preflight's output that make its detail (what the journal and the checklist show). */
export const PREFLIGHT_REPORT = 'preflight: ';

/**
 * The operator's own git identity, or, when they have none, "<os user>" / "<os user>@<hostname>"
 * taken from `createdBy` (which is exactly "user@host"). A revert commit on a deploy host is
 * then always by the person who ran the rollback, and never fails for want of an identity.
 */
export function revertIdentity(given: { name: string; email: string } | undefined, createdBy: string): GitIdentity {
  const check = (what: string, value: string): string => {
    // git refuses these in an identity, and a newline would split the -c argument's meaning.
    if (/[<>\u0000-\u001f\u007f]/.test(value)) throw new PlanError(`the git identity's ${what} ${JSON.stringify(value)} contains <, > or a control character; fix it with git config ${what}`);
    return value;
  };
  const name = given?.name.trim();
  const email = given?.email.trim();
  if (name && email) return { name: check('user.name', name), email: check('user.email', email) };
  // createdBy is the operator's label: their git identity when one was read ("Dana <dana@example.com>"), else user@host.
  const labelled = identityOfLabel(createdBy);
  if (labelled) return { name: check('user.name', labelled.name), email: check('user.email', labelled.email) };
  const user = createdBy.split('@')[0] || 'rollback-pilot';
  return { name: check('user.name', user), email: check('user.email', createdBy.includes('@') ? createdBy : `${createdBy}@localhost`), fallback: true };
}

/**
 * The operator's own git identity, as `git config` gives it in the workspace (its config, then
 * the global one); undefined when user.name or user.email is not set, so the planner falls back.
 */
export async function operatorGitIdentity(runner: CommandRunner, cwd: string): Promise<{ name: string; email: string } | undefined> {
  // Both keys from one process; the last value of each wins, as with `git config --get`.
  const r = await runner.run(`git config -z --get-regexp '^user\\.(name|email)$'`, { cwd, timeoutMs: 10_000 });
  const found = new Map<string, string>();
  if (r.code === 0) {
    for (const entry of r.stdout.split('\0')) {
      const nl = entry.indexOf('\n');
      if (nl > 0) found.set(entry.slice(0, nl), entry.slice(nl + 1).trim());
    }
  }
  const name = found.get('user.name') ?? '';
  const email = found.get('user.email') ?? '';
  return name && email ? { name, email } : undefined;
}

/** How the revert step's why names the identity, for the preview and the journal. */
export function identityNote(id: GitIdentity): string {
  return id.fallback
    ? `Committed as ${id.name} <${id.email}>: this machine has no git identity (git config user.name / user.email), so the OS user and host name stand in.`
    : `Committed as ${id.name} <${id.email}>, the operator's git identity (passed with -c, so the host's own git config needs none).`;
}

/** The `-c` arguments that give a git command the identity. */
export function identityArgs(id: GitIdentity): string[] {
  return ['-c', `user.name=${id.name}`, '-c', `user.email=${id.email}`];
}

export interface PreflightInput {
  at: At;
  /** "local" or the SSH destination, for the messages. */
  where: string;
  /** The working tree on the target, as the code steps use it. */
  cwd: string;
  /** The environment's name in rollback.yml, for the messages that say what to fix. */
  environment: string;
  strategy: Strategy;
  from: ReleaseRef;
  to: ReleaseRef;
  /** Set for the revert strategy: git must be able to commit there with it. */
  identity?: GitIdentity;
  /** Services whose current health is reported. */
  services: ServiceConfig[];
  /** Where the health URLs answer: on the target (probed there, by curl) or from this machine. */
  healthWhere: string;
  /** The backup the plan's database steps check and restore (from the backups log, read at planning). */
  backup?: { chosen: ChosenBackup; maxAgeMs: number };
}

/** The preflight's refusal of a working tree that is not there (the lock's start says the same, before any step). */
export function missingPathMessage(where: string, cwd: string, environment: string): string {
  return `${where}:${cwd} does not exist (no such directory on ${where}); check environments.${environment}.path in rollback.yml`;
}

export function preflightStep(input: PreflightInput): PlanStep {
  const { where, cwd, from, to, identity } = input;
  const place = `${where}:${cwd}`;
  const code = input.strategy !== 'image';
  const lines = [
    `p=${shQuote(cwd)}`,
    `[ -d "$p" ] || ${refuse([missingPathMessage(where, cwd, input.environment)])}`,
    `cd "$p" || ${refuse([`cannot enter ${place}`])}`,
  ];
  if (code) {
    lines.push(
      // A checkout owned by another user is refused by git itself ("dubious ownership"): said as such, not as "no work tree".
      `w=$(git rev-parse --is-inside-work-tree 2>&1); case "$w" in *"dubious ownership"*) ${refuse([notAWorkTree(place, cwd, 'detected dubious ownership')])};; esac`,
      `[ "$w" = true ] || ${refuse([`${place} is not a git work tree (git rev-parse --is-inside-work-tree); the environment's path must be the deployed checkout`])}`,
      `top=$(git rev-parse --show-toplevel) && [ "$(cd "$top" && pwd -P)" = "$(pwd -P)" ] || ${refuse([`${place} is inside the git work tree `, { variable: 'top' }, ', not its top level; set the environment\'s path to that folder'])}`,
      `git cat-file -e ${shQuote(`${to.sha}^{commit}`)} 2>/dev/null || ${refuse([`${place} has no commit ${to.sha} (${to.name}); fetch it there first (git fetch --tags)`])}`,
      // The same code counts: an earlier revert rollback leaves a revert commit whose tree is exactly the from release's.
      `head=$(git rev-parse HEAD) && { [ "$head" = ${shQuote(from.sha)} ] || [ "$(git rev-parse 'HEAD^{tree}')" = "$(git rev-parse ${shQuote(`${from.sha}^{tree}`)})" ] || ${refuse([`${place}: the target is at `, { variable: 'head' }, `, not at ${from.name} (${from.sha}) nor at a commit with its code; the plan was made for ${from.name}, plan again from what is deployed`])}; }`,
    );
  }
  if (code && identity) {
    const ident = identityArgs(identity).map((a) => shQuote(a)).join(' ');
    lines.push(`err=$(git ${ident} var GIT_COMMITTER_IDENT 2>&1 >/dev/null) || ${refuse([`git cannot commit in ${place} as ${identity.name} <${identity.email}>: `, { variable: 'err' }])}`);
  }
  if (input.backup) lines.push(...backupCheckLines(input.backup.chosen, input.backup.maxAgeMs, where));
  if (code) lines.push(say([`${PREFLIGHT_REPORT}${place} is a git work tree at `, { variable: 'head' }, ` (${from.name})`], 'out'));
  else lines.push(say([`${PREFLIGHT_REPORT}${place} exists`], 'out'));

  const health = input.services.filter((s) => s.health);
  const probe = health.length ? healthReport(health, input.healthWhere) : undefined;
  // Health URLs that only answer from this machine are probed here, by a second command; the rest rides in the one script.
  if (probe && input.healthWhere !== 'local') lines.push(probe);
  const commands = [input.at(lines.join('\n'), { cwd: undefined })];
  if (probe && input.healthWhere === 'local') commands.push({ command: probe, where: 'local' });
  const checks = [
    `${place} exists`,
    ...(code ? ['is a git work tree (its top level)', `has ${to.name}'s commit`, `is at ${from.name} (or a commit with exactly its code, as an earlier revert rollback leaves it)`] : []),
    ...(code && identity ? [`git can commit there as ${identity.name} <${identity.email}>`] : []),
    ...(input.backup ? [`the backup the database steps restore (${backupName(input.backup.chosen)}) still matches the size and sha256 in the backups log and is at most ${formatAge(input.backup.maxAgeMs)} old`] : []),
  ];
  return {
    id: 'preflight',
    kind: 'snapshot',
    title: code ? `Check ${where} is ready: ${cwd} at ${from.name}` : `Check ${where} is ready: ${cwd}`,
    why: `Before anything changes, one script on ${where} checks that ${checks.join(', ')}; if one fails, the run stops here with nothing changed.${health.length ? ` The current health of ${health.map((s) => s.name).join(', ')} is reported, not judged: a service already down is said before the rollback starts.` : ''}`,
    commands,
    destructive: false,
  };
}

/** Probes each health URL once and prints what it answered; a service already down is said, never fatal. */
function healthReport(services: ServiceConfig[], healthWhere: string): string {
  const lines = ['if command -v curl >/dev/null 2>&1; then'];
  for (const svc of services) {
    const h = svc.health!;
    lines.push(
      // One probe: the status behind a marker, curl's own error (if any) on the same capture.
      `  r=$(curl -sS -o /dev/null -w 'RP_CODE=%{http_code}' --max-time 5 ${shQuote(h.url)} 2>&1)`,
      `  c=$(printf '%s\\n' "$r" | sed -n 's/.*RP_CODE=\\([0-9]*\\).*/\\1/p' | tail -n 1); e=$(printf '%s\\n' "$r" | grep '^curl:' | head -n 1)`,
      `  if [ "$c" = ${shQuote(String(h.expect))} ]; then ${say([`${PREFLIGHT_REPORT}${svc.name} answers `, { variable: 'c' }], 'out')}`,
      `  elif [ -z "$c" ] || [ "$c" = 000 ]; then ${say([`${PREFLIGHT_REPORT}${svc.name} is already down: no answer from ${h.url} (`, { variable: 'e' }, ')'], 'out')}`,
      `  else ${say([`${PREFLIGHT_REPORT}${svc.name} is already down: `, { variable: 'c' }, ` (expects ${h.expect})`], 'out')}; fi`,
    );
  }
  lines.push(`else ${say([`${PREFLIGHT_REPORT}current health not checked: curl is not on ${healthWhere}`], 'out')}; fi`);
  return lines.join('\n');
}

/** The preflight's detail: its report lines (health included), so the journal says what it found. */
export function preflightDetail(output: string): string {
  const found = output.split('\n').filter((l) => l.startsWith(PREFLIGHT_REPORT)).map((l) => l.slice(PREFLIGHT_REPORT.length).trim());
  return found.length ? found.join('; ') : 'done';
}
