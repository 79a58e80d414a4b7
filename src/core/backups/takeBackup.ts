// Taking the pre-deploy backup on the target and reading the backups log back, over the
// target's own runner. Record Pre-deploy Snapshot calls takeBackup when
// `migrations.backup.create` is set; planning calls readBackupsLog to choose the backup the
// plan checks and restores.
import type { BackupConfig } from '../config/types';
import { BACKUP_PLACEHOLDERS, templateQuotingProblem } from '../config/templateQuoting';
import type { CommandRunner } from '../ports';
import { shQuote, validatePath } from '../plan/shellQuote';
import { BACKUPS_LOG_VERSION, backupsDir, backupsLogFile, chooseBackup, formatBackupRecord, inTree, parseBackupsLog, recordedPath, shownAt, type BackupRecord, type ChosenBackup } from './backupsLog';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

type Run = CommandRunner['run'];

function failure(r: Awaited<ReturnType<Run>>): string {
  if (r.lost) return 'the connection was lost';
  if (r.timedOut) return 'it gave no answer in time';
  return (r.stderr || r.stdout).trim().split('\n').slice(-1)[0] || `exit ${r.code}`;
}

/** A file name safe on any host: environment, release and time, nothing a shell reads. */
function fileName(environment: string, release: { sha: string; tag?: string }, now: Date): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.-]+/, '').slice(0, 60) || 'x';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${clean(environment)}-${clean(release.tag ?? release.sha.slice(0, 12))}-${stamp}.dump`;
}

/**
 * Runs `backup.create` on the target (in `cwd`, with `{backup}` filled in with a new file
 * under backup.dir), checks the file is there and not empty, takes its size and sha256 there,
 * and appends its record to the backups log. Throws BackupError naming the host and the file.
 */
export async function takeBackup(input: {
  runner: CommandRunner;
  cwd: string;
  environment: string;
  backup: BackupConfig & { create: string };
  release: { sha: string; tag?: string };
  by?: string;
  timeoutMs?: number;
  now?: Date;
}): Promise<BackupRecord & { log: string }> {
  const { runner, cwd, backup } = input;
  const where = runner.where;
  const quoting = templateQuotingProblem(backup.create, BACKUP_PLACEHOLDERS);
  if (quoting) throw new BackupError(`migrations.backup.create cannot be filled in safely: ${quoting}`);
  const run = (command: string, opts: { input?: string; timeoutMs?: number } = {}) => runner.run(command, { cwd, timeoutMs: opts.timeoutMs ?? 60_000, input: opts.input });
  const timeoutMs = input.timeoutMs ?? 30 * 60_000;

  let path: string;
  if (backup.create.includes('{backup}')) {
    const dir = backupsDir(backup);
    path = `${dir}/${fileName(input.environment, input.release, input.now ?? new Date())}`;
    const r = await run(`mkdir -p -- ${shQuote(dir)} || exit 1\n${backup.create.replace(/\{backup\}/g, shQuote(path))}`, { timeoutMs });
    if (r.code !== 0) throw new BackupError(`backup.create failed on ${where} (no backup was recorded): ${failure(r)}`);
  } else {
    // The command chooses the file itself and says which, as its last line.
    const r = await run(backup.create, { timeoutMs });
    if (r.code !== 0) throw new BackupError(`backup.create failed on ${where} (no backup was recorded): ${failure(r)}`);
    const last = r.stdout.trim().split('\n').slice(-1)[0]?.trim() ?? '';
    if (!last) throw new BackupError(`backup.create printed no file on ${where}: without {backup} in the command, its last line must be the backup file's path`);
    try {
      path = inTree(last);
    } catch (e) {
      throw new BackupError(`backup.create's last line on ${where} is not a usable path (${(e as Error).message})`);
    }
  }

  const q = shQuote(validatePath(path));
  const shown = shownAt(where, cwd, path);
  const stat = await run(`[ -f ${q} ] || exit 3\ns=$(wc -c < ${q}) && h=$(sha256sum < ${q}) || exit 4\nprintf 'RP_BACKUP %s %s %s\\n' "$s" "\${h%% *}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"`, { timeoutMs });
  if (stat.code === 3) throw new BackupError(`${shown} does not exist after backup.create ran: the command did not write the backup there`);
  const m = /^RP_BACKUP (\d+) ([0-9a-f]{64}) (\S+)$/m.exec(stat.stdout);
  if (stat.code !== 0 || !m) throw new BackupError(`Could not checksum ${shown}: ${failure(stat)}`);
  const size = Number(m[1]);
  if (size === 0) throw new BackupError(`${shown} is empty after backup.create ran: not recorded as a backup`);

  const record: BackupRecord = { version: BACKUPS_LOG_VERSION, at: m[3], environment: input.environment, release: input.release, path: recordedPath(cwd, path), size, sha256: m[2], ...(input.by ? { by: input.by } : {}) };
  const log = backupsLogFile(backup);
  // One short append (O_APPEND): two operators recording at once each add a whole line.
  const w = await run(`l=${shQuote(log)}; mkdir -p -- "$(dirname -- "$l")" && printf '%s\\n' ${shQuote(formatBackupRecord(record))} >> "$l"`);
  if (w.code !== 0) throw new BackupError(`The backup ${shown} was taken but could not be recorded in ${shownAt(where, cwd, log)}: ${failure(w)}`);
  return { ...record, log };
}

/**
 * Reads the backups log on the target and chooses the backup a rollback to `to` restores.
 * Never throws: a log that is missing, unreadable or has a bad line comes back as a problem
 * naming the host and the file (the preflight then refuses with it).
 */
export async function readBackupsLog(runner: CommandRunner, cwd: string, backup: BackupConfig | undefined, to: { name: string; sha: string }): Promise<ChosenBackup> {
  const log = backupsLogFile(backup);
  const at = shownAt(runner.where, cwd, log);
  try {
    const r = await runner.run(`f=${shQuote(log)}; [ -e "$f" ] || exit 3; cat -- "$f"`, { cwd, timeoutMs: 30_000 });
    if (r.code === 3) return { log, shown: at, problem: `${at} does not exist: no backup was recorded there (Record Pre-deploy Snapshot takes one with migrations.backup.create)` };
    if (r.code !== 0) return { log, shown: at, problem: `${at} cannot be read: ${failure(r)}` };
    if (r.droppedBytes && r.droppedBytes.stdout > 0) return { log, shown: at, problem: `${at} is larger than 1 MiB (${r.droppedBytes.stdout} bytes were not kept): not read in part; archive its older lines` };
    return chooseBackup(parseBackupsLog(r.stdout, at), to, log, at);
  } catch (e) {
    return { log, shown: at, problem: `${at} cannot be read: ${(e as Error).message}` };
  }
}
