import type { CommandRunner } from '../ports';
import { shQuote } from '../plan/shellQuote';
import type { RollbackJournal } from './journalTypes';

/** A command of the holder's run that may still be running on the target (cancelled, timed out, cut off). */
export interface StillRunning {
  stepId: string;
  command: string;
  where: string;
  /** Why it may still run: "no answer within 600000 ms", "the connection was lost", … */
  why: string;
}

/** Who holds the rollback lock of one target (host + working tree). */
export interface LockHolder {
  who: string;
  since: string;
  runId: string;
  environment: string;
  where: string;
  /** Set when the holder's run ended with a command that may still be running: the lock was kept for it. */
  mayStillRun?: StillRunning[];
}

/** A lock as read, with the exact record text: force release removes it only while the file still says exactly this. */
export interface LockView extends LockHolder {
  raw: string;
  /** The file it was read from (relative to the working tree). */
  file: string;
}

export class LockHeldError extends Error {
  constructor(readonly holder: LockHolder) {
    const busy = holder.mayStillRun?.length ? ` A command of that run may still be running there: ${holder.mayStillRun.map((c) => `"${c.command}" (${c.why})`).join('; ')}.` : '';
    super(`${holder.environment} on ${holder.where} is being rolled back by ${holder.who} since ${holder.since} (run ${holder.runId}); wait, or use "Rollback: Release Lock" if that run is dead.${busy}`);
    this.name = 'LockHeldError';
  }
}

export class LockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}

/** The working tree the lock would live in does not exist on the target: the preflight's refusal, not the lock's. */
export class LockTreeMissingError extends LockError {
  constructor(readonly where: string, readonly cwd: string) {
    super(`${where}:${cwd} does not exist`);
    this.name = 'LockTreeMissingError';
  }
}

export interface LockTarget {
  /** Runner of the target the lock lives on (local or the SSH host). */
  runner: CommandRunner;
  /** Working tree on that target; the lock is `<cwd>/.rollback/locks/rollback.lock`. */
  cwd: string;
  /** Recorded in the lock; no longer part of its name. */
  environment: string;
}

/**
 * One lock per working tree on a host: two environment names (`prod`, `production`) for the
 * same host and path are one target, and must never both hold it.
 */
export const LOCK_FILE = '.rollback/locks/rollback.lock';
/** Beside the lock: one JSON line per forced release (who released whose lock, when, why). */
export const LOCK_HISTORY = '.rollback/locks/history.log';

/**
 * The previous release named the lock after the environment (`.rollback/locks/<env>.lock`).
 * For one release a lock taken under that name is still respected (and released by its own
 * run when it resumes here); drop this after the next release.
 */
function legacyLockFile(environment: string): string | undefined {
  return /^[A-Za-z0-9._-]+$/.test(environment) && environment !== 'rollback' ? `.rollback/locks/${environment}.lock` : undefined;
}

// `.rollback/.gitignore` with "*" keeps the lock out of `git status`, so a stash never carries it away.
const PREPARE = `mkdir -p .rollback/locks && { [ -e .rollback/.gitignore ] || printf '*\\n' > .rollback/.gitignore; }`;

function parseHolder(text: string, fallbackWhere: string, environment: string): LockHolder {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    return {
      who: String(h.who ?? 'unknown'),
      since: String(h.since ?? 'unknown'),
      runId: String(h.runId ?? 'unknown'),
      environment: String(h.environment ?? environment),
      where: String(h.where ?? fallbackWhere),
      ...(Array.isArray(h.mayStillRun) && h.mayStillRun.length ? { mayStillRun: h.mayStillRun } : {}),
    };
  } catch {
    return { who: 'unknown (unreadable lock file)', since: 'unknown', runId: 'unknown', environment, where: fallbackWhere };
  }
}

async function run(target: Omit<LockTarget, 'cwd'> & { cwd?: string }, script: string, what: string, shownCwd = target.cwd): Promise<string> {
  const r = await target.runner.run(script, { cwd: target.cwd, timeoutMs: 30_000 });
  if (r.code !== 0 || r.lost) throw new LockError(`could not ${what} on ${target.runner.where} in ${shownCwd}: ${(r.stderr || r.stdout).trim() || (r.lost ? 'the connection was lost' : `exit ${r.code}`)}`);
  return r.stdout;
}

/**
 * Takes the lock, atomically: the record is written to a temp file and hard-linked into
 * place, and `ln` refuses when the lock exists, so two takers can never both win and a
 * reader never sees a half-written record. A holder with the same runId (a resumed run)
 * gets the lock back. A lock under the previous release's per-environment name counts as held.
 */
export async function acquireLock(target: LockTarget, holder: Omit<LockHolder, 'environment' | 'where'>): Promise<LockHolder> {
  const record: LockHolder = { ...holder, environment: target.environment, where: target.runner.where };
  const tmp = `${LOCK_FILE}.${holder.runId}.tmp`;
  const legacy = legacyLockFile(target.environment);
  const take = `if ln ${shQuote(tmp)} ${shQuote(LOCK_FILE)} 2>/dev/null; then rm -f ${shQuote(tmp)}; echo ACQUIRED; else rm -f ${shQuote(tmp)}; echo HELD; cat ${shQuote(LOCK_FILE)}; fi`;
  const script = [
    PREPARE,
    `printf '%s\\n' ${shQuote(JSON.stringify(record))} > ${shQuote(tmp)}`,
    legacy ? `if [ -e ${shQuote(legacy)} ]; then rm -f ${shQuote(tmp)}; echo HELD; cat ${shQuote(legacy)}; else ${take}; fi` : take,
  ].join(' && ');
  // Entered here, not by the runner: a missing working tree is said as such (LockTreeMissingError), not as a failed cd.
  const out = await run({ ...target, cwd: undefined }, `cd ${shQuote(target.cwd)} 2>/dev/null || { echo NO_TREE; exit 0; }\n${script}`, 'take the lock', target.cwd);
  if (out.trim() === 'NO_TREE') throw new LockTreeMissingError(target.runner.where, target.cwd);
  const [first, ...rest] = out.split('\n');
  if (first.trim() === 'ACQUIRED') return record;
  const current = parseHolder(rest.join('\n').trim(), target.runner.where, target.environment);
  if (current.runId === holder.runId) return current;
  throw new LockHeldError(current);
}

/** The lock of this working tree (or the previous release's per-environment lock), as it reads now. */
export async function readLock(target: LockTarget): Promise<LockView | undefined> {
  const files = [LOCK_FILE, legacyLockFile(target.environment)].filter((f): f is string => !!f);
  const script = files.map((f) => `if [ -e ${shQuote(f)} ]; then echo ${shQuote(`LOCK ${f}`)}; cat ${shQuote(f)}; exit 0; fi`).join('\n') + '\necho NOLOCK';
  const out = (await run(target, script, 'read the lock')).trim();
  if (out === 'NOLOCK') return undefined;
  const [head, ...rest] = out.split('\n');
  const raw = rest.join('\n').trim();
  return { ...parseHolder(raw, target.runner.where, target.environment), raw, file: head.slice('LOCK '.length) };
}

/** Releases this run's own lock; someone else's is never touched. Returns the holder removed, if any. */
export async function releaseLock(target: LockTarget, options: { runId: string }): Promise<LockHolder | undefined> {
  const view = await readLock(target);
  if (!view || view.runId !== options.runId) return undefined;
  await run(target, `rm -f ${shQuote(view.file)}`, 'remove the lock');
  return view;
}

/**
 * The run ended while a command of it may still be running on the target: the lock stays,
 * and its record says which command, so the next operator (and Release Lock) sees why.
 */
export async function keepLockFor(target: LockTarget, runId: string, stillRunning: StillRunning[]): Promise<void> {
  const view = await readLock(target);
  if (!view || view.runId !== runId) return;
  const { raw: _raw, file, ...holder } = view;
  const tmp = `${file}.${runId}.kept.tmp`;
  await run(target, `printf '%s\\n' ${shQuote(JSON.stringify({ ...holder, mayStillRun: stillRunning }))} > ${shQuote(tmp)} && mv -f ${shQuote(tmp)} ${shQuote(file)}`, 'note the running command in the lock');
}

/**
 * Commands of a journal that may still run on their host: a remote command the run lost sight
 * of (cancel, timeout, cut connection) and never saw end. The journal names its process when
 * the host reported it; a step left unknown with a remote command counts too, even without one.
 */
export function commandsThatMayStillRun(journal: RollbackJournal): StillRunning[] {
  const out: StillRunning[] = [];
  for (const js of journal.steps) {
    if (js.outcome !== 'unknown' && js.outcome !== 'running') continue;
    const why = js.detail ?? 'its end was not seen';
    if (js.process && (js.process.where ?? 'local') !== 'local') {
      out.push({ stepId: js.stepId, command: js.process.command, where: js.process.where!, why });
      continue;
    }
    const remote = js.process ? undefined : journal.plan.steps.find((s) => s.id === js.stepId)?.commands.find((c) => c.where !== 'local');
    if (remote && js.outcome === 'unknown') out.push({ stepId: js.stepId, command: remote.command, where: remote.where, why });
  }
  return out;
}

export interface ForcedRelease {
  /** The holder that was removed: exactly the one the caller showed. */
  released: LockHolder;
  /** The JSON line appended to the history file beside the lock. */
  audit: string;
}

/**
 * Compare-and-delete: removes the lock only while it still holds exactly the record the
 * operator was shown (`expected`). The lock is first moved aside (one `mv`, so a concurrent
 * taker either sees it or finds the place free), compared there, and put back with `ln`
 * (which never overwrites a lock taken meanwhile) when it differs. On success one JSON line
 * goes into `.rollback/locks/history.log` beside it, on the target, for every operator to read.
 */
export async function forceRemoveLock(target: LockTarget, expected: LockView, by: string, why: string, now = new Date()): Promise<ForcedRelease> {
  const { raw: _raw, file: _file, ...released } = expected;
  const audit = JSON.stringify({ at: now.toISOString(), event: 'lock-force-released', by, why, where: target.runner.where, path: target.cwd, file: expected.file, released });
  const aside = `${expected.file}.release.${now.getTime()}.tmp`;
  const [f, a] = [shQuote(expected.file), shQuote(aside)];
  const script = [
    `if ! mv ${f} ${a} 2>/dev/null; then echo GONE; exit 0; fi`,
    `if [ "$(cat ${a})" = ${shQuote(expected.raw.trim())} ]; then rm -f ${a}; printf '%s\\n' ${shQuote(audit)} >> ${shQuote(LOCK_HISTORY)}; echo RELEASED; exit 0; fi`,
    `if ln ${a} ${f} 2>/dev/null; then rm -f ${a}; echo CHANGED; cat ${f}; else echo RACE; fi`,
  ].join('\n');
  const out = (await run(target, script, 'release the lock')).trim();
  const [head, ...rest] = out.split('\n');
  if (head === 'RELEASED') return { released, audit };
  if (head === 'GONE') throw new LockError(`the lock on ${target.runner.where} in ${target.cwd} is gone already (released by its run, or by someone else); nothing was removed`);
  if (head === 'CHANGED') {
    const now = parseHolder(rest.join('\n').trim(), target.runner.where, target.environment);
    throw new LockError(`the lock on ${target.runner.where} in ${target.cwd} changed since you looked: it is now held by ${now.who} since ${now.since} (run ${now.runId}), not by ${expected.who} (run ${expected.runId}); it was left in place`);
  }
  throw new LockError(`the lock on ${target.runner.where} in ${target.cwd} was taken again while it was being released; the record you were shown is kept in ${aside} there; look before releasing anything`);
}
