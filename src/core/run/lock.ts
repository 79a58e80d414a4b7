import type { CommandRunner } from '../ports';
import { shQuote } from '../plan/shellQuote';

/** Who holds the rollback lock of one target (environment + host + path). */
export interface LockHolder {
  who: string;
  since: string;
  runId: string;
  environment: string;
  where: string;
}

export class LockHeldError extends Error {
  constructor(readonly holder: LockHolder) {
    super(`${holder.environment} on ${holder.where} is being rolled back by ${holder.who} since ${holder.since} (run ${holder.runId}); wait, or use "Rollback: Release Lock" if that run is dead`);
    this.name = 'LockHeldError';
  }
}

export class LockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}

export interface LockTarget {
  /** Runner of the target the lock lives on (local or the SSH host). */
  runner: CommandRunner;
  /** Working tree on that target; the lock is `<cwd>/.rollback/locks/<environment>.lock`. */
  cwd: string;
  environment: string;
}

function lockPath(environment: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(environment)) throw new LockError(`environment name "${environment}" cannot name a lock file (use letters, digits, ".", "_", "-")`);
  return `.rollback/locks/${environment}.lock`;
}

// `.rollback/.gitignore` with "*" keeps the lock out of `git status`, so a stash never carries it away.
const PREPARE = `mkdir -p .rollback/locks && { [ -e .rollback/.gitignore ] || printf '*\\n' > .rollback/.gitignore; }`;

function parseHolder(text: string, fallbackWhere: string, environment: string): LockHolder {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    return { who: String(h.who ?? 'unknown'), since: String(h.since ?? 'unknown'), runId: String(h.runId ?? 'unknown'), environment: String(h.environment ?? environment), where: String(h.where ?? fallbackWhere) };
  } catch {
    return { who: 'unknown (unreadable lock file)', since: 'unknown', runId: 'unknown', environment, where: fallbackWhere };
  }
}

/**
 * Takes the lock, atomically: the record is written to a temp file and hard-linked into
 * place, and `ln` refuses when the lock exists, so two takers can never both win and a
 * reader never sees a half-written record. A holder with the same runId (a resumed run)
 * gets the lock back.
 */
export async function acquireLock(target: LockTarget, holder: Omit<LockHolder, 'environment' | 'where'>): Promise<LockHolder> {
  const path = lockPath(target.environment);
  const record: LockHolder = { ...holder, environment: target.environment, where: target.runner.where };
  const tmp = `${path}.${holder.runId}.tmp`;
  const script = [
    PREPARE,
    `printf '%s\\n' ${shQuote(JSON.stringify(record))} > ${shQuote(tmp)}`,
    `if ln ${shQuote(tmp)} ${shQuote(path)} 2>/dev/null; then rm -f ${shQuote(tmp)}; echo ACQUIRED; else rm -f ${shQuote(tmp)}; echo HELD; cat ${shQuote(path)}; fi`,
  ].join(' && ');
  const r = await target.runner.run(script, { cwd: target.cwd, timeoutMs: 30_000 });
  if (r.code !== 0 || r.lost) throw new LockError(`could not take the lock on ${target.runner.where} in ${target.cwd}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
  const [first, ...rest] = r.stdout.split('\n');
  if (first.trim() === 'ACQUIRED') return record;
  const current = parseHolder(rest.join('\n').trim(), target.runner.where, target.environment);
  if (current.runId === holder.runId) return current;
  throw new LockHeldError(current);
}

export async function readLock(target: LockTarget): Promise<LockHolder | undefined> {
  const path = lockPath(target.environment);
  const r = await target.runner.run(`if [ -e ${shQuote(path)} ]; then cat ${shQuote(path)}; else echo NOLOCK; fi`, { cwd: target.cwd, timeoutMs: 30_000 });
  if (r.code !== 0 || r.lost) throw new LockError(`could not read the lock on ${target.runner.where}: ${r.stderr.trim()}`);
  return r.stdout.trim() === 'NOLOCK' ? undefined : parseHolder(r.stdout.trim(), target.runner.where, target.environment);
}

/**
 * Releases the lock. Without `force` only the holder's own runId may release it (a run
 * never frees someone else's lock); with `force` (a stale lock, after the user confirmed)
 * it goes whoever holds it. Returns the holder that was removed, if any.
 */
export async function releaseLock(target: LockTarget, options: { runId?: string; force?: boolean }): Promise<LockHolder | undefined> {
  const holder = await readLock(target);
  if (!holder) return undefined;
  if (!options.force && holder.runId !== options.runId) return undefined;
  const path = lockPath(target.environment);
  const r = await target.runner.run(`rm -f ${shQuote(path)}`, { cwd: target.cwd, timeoutMs: 30_000 });
  if (r.code !== 0 || r.lost) throw new LockError(`could not remove the lock on ${target.runner.where}: ${r.stderr.trim()}`);
  return holder;
}
