// The backups log on the target (runbook 004's `ops/backups.log`): one JSON line per backup
// Record Pre-deploy Snapshot took (time, path, size, sha256, the release that ran), appended
// on the host so every operator reads the same log. Before a destructive database step the
// product checks the backup taken at the release it returns to, and the restore command gets
// exactly that file. A line that is not a record is never skipped: the log is refused whole,
// naming the host, the file and the line, since a skipped line may be the newest backup.
import type { BackupConfig } from '../config/types';
import { validatePath } from '../plan/shellQuote';

export const BACKUPS_LOG_VERSION = 1;

/** One backup as the log records it. */
export interface BackupRecord {
  version: number;
  /** ISO time the backup was checksummed on the target (its clock). */
  at: string;
  environment: string;
  /** The release that ran when it was taken: the release a rollback that restores it returns to. */
  release: { sha: string; tag?: string };
  /** The file on the target (absolute, or relative to the environment's path). */
  path: string;
  size: number;
  sha256: string;
  /** Who took it ("user@machine"). */
  by?: string;
}

/** The backup a plan checks and restores, or why none can be: the host and the log named. */
export type ChosenBackup =
  | { log: string; shown: string; record: BackupRecord; line: string; lineNumber: number }
  | { log: string; shown: string; problem: string };

/**
 * A path from rollback.yml as the target's commands use it: they run in the environment's
 * working tree, so a relative path stays relative to it. `shownAt` is how messages name it.
 */
export function inTree(file: string): string {
  return validatePath(file);
}

/** "prod-1:/srv/app/ops/backups.log": the host, and the file under the working tree unless absolute. */
export function shownAt(where: string, cwd: string, file: string): string {
  return `${where}:${file.startsWith('/') ? file : `${cwd.replace(/\/+$/, '')}/${file}`}`;
}

/** A file the backup command wrote, as the log records it: absolute when the working tree is. */
export function recordedPath(cwd: string, file: string): string {
  return validatePath(file.startsWith('/') || !cwd.startsWith('/') ? file : `${cwd.replace(/\/+$/, '')}/${file.replace(/^\.\//, '')}`);
}

/** Where the backups log is: `migrations.backup.log`, default `ops/backups.log` in the working tree. */
export function backupsLogFile(backup: BackupConfig | undefined): string {
  return inTree(backup?.log ?? 'ops/backups.log');
}

/** Where backup.create's `{backup}` files go: `migrations.backup.dir`, default `.rollback/backups` in the working tree. */
export function backupsDir(backup: BackupConfig | undefined): string {
  return inTree(backup?.dir ?? '.rollback/backups');
}

/** The line appended to the log: keys in a fixed order, one line of JSON. */
export function formatBackupRecord(r: BackupRecord): string {
  const release = r.release.tag ? { sha: r.release.sha, tag: r.release.tag } : { sha: r.release.sha };
  return JSON.stringify({ version: r.version, at: r.at, environment: r.environment, release, path: r.path, size: r.size, sha256: r.sha256, ...(r.by ? { by: r.by } : {}) });
}

/** Why one line is not a backup record, or the record. */
function parseLine(line: string): BackupRecord | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'is not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'is not a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.version === 'number' && o.version > BACKUPS_LOG_VERSION) return `was written by a newer version of Rollback Pilot (log version ${o.version}, this one reads ${BACKUPS_LOG_VERSION}): update the extension`;
  if (o.version !== BACKUPS_LOG_VERSION) return `has no "version": ${BACKUPS_LOG_VERSION}`;
  const release = o.release as Record<string, unknown> | undefined;
  if (typeof o.at !== 'string' || Number.isNaN(Date.parse(o.at))) return 'has no valid "at" time';
  if (typeof o.path !== 'string' || o.path === '' || /[\u0000-\u001f]/.test(o.path)) return 'has no usable "path"';
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size <= 0) return 'has no positive whole "size"';
  if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) return 'has no 64-hex-digit "sha256"';
  if (typeof release !== 'object' || release === null || typeof release.sha !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(release.sha)) return 'has no "release" with a full commit "sha"';
  if (typeof o.environment !== 'string') return 'has no "environment"';
  return {
    version: o.version,
    at: o.at,
    environment: o.environment,
    release: { sha: release.sha, ...(typeof release.tag === 'string' ? { tag: release.tag } : {}) },
    path: o.path,
    size: o.size,
    sha256: o.sha256,
    ...(typeof o.by === 'string' ? { by: o.by } : {}),
  };
}

export interface ParsedBackupsLog {
  records: Array<{ record: BackupRecord; line: string; lineNumber: number }>;
  /** The first line that is not a record, named with `location` (host:file) and its number. */
  problem?: string;
}

/** Parses the log's text. Blank lines and `#` comments are allowed; anything else must be a record. */
export function parseBackupsLog(text: string, location: string): ParsedBackupsLog {
  const records: ParsedBackupsLog['records'] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const r = parseLine(line);
    if (typeof r === 'string') {
      const shown = line.length > 80 ? `${line.slice(0, 77)}...` : line;
      return { records, problem: `${location} line ${i + 1} ${r} (${JSON.stringify(shown)}): the log is not trusted until that line is fixed or removed` };
    }
    records.push({ record: r, line, lineNumber: i + 1 });
  }
  return { records };
}

/**
 * The backup a rollback to `to` restores: the newest taken while `to` ran (the pre-deploy
 * snapshot before the bad deploy). A newer backup of another release is never used instead:
 * it may hold the bad release's migrations.
 */
export function chooseBackup(parsed: ParsedBackupsLog, to: { name: string; sha: string }, log: string, shown: string): ChosenBackup {
  if (parsed.problem) return { log, shown, problem: parsed.problem };
  const atTo = parsed.records.filter((r) => r.record.release.sha === to.sha);
  const newest = atTo.sort((a, b) => Date.parse(b.record.at) - Date.parse(a.record.at))[0];
  if (newest) return { log, shown, ...newest };
  const last = parsed.records[parsed.records.length - 1]?.record;
  const hint = last ? ` (the newest there was taken at ${last.release.tag ?? last.release.sha.slice(0, 12)}, ${last.at})` : ' (it records no backup)';
  return { log, shown, problem: `${shown} has no backup taken at ${to.name} (${to.sha.slice(0, 12)}), the release this rollback returns to${hint}: Record Pre-deploy Snapshot takes one before each deploy (migrations.backup.create)` };
}
