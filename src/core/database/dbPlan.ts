// The database section of a rollback plan, built from the bad release's verdicts. The
// engine places these steps before the code switch: after it, the migration files that
// the down steps need are gone.

import type { MigrationsConfig } from '../config/types';
import type { MigrationFinding, MigrationVerdict } from '../migrations/types';
import type { PlanCommand, PlanStep } from '../plan/types';
import { CONFIG_DEFAULTS } from '../config/defaults';
import { MIGRATION_TABLES } from './appliedState';
import { formatAge } from './backupAge';
import type { ChosenBackup } from '../backups/backupsLog';
import { fillRestoreCommand, recordedBackupCheckStep } from '../backups/backupSteps';
import { downDoneCheckSql, fillDownCommand, noneRecordedCheckSql } from './downStep';
import { CLASS_LABEL, summarize } from '../classify/summary';
import { sentence } from '../plan/sentence';

export type UndoPath = 'down' | 'restore';

export interface DatabasePlanInput {
  /** The bad release's verdicts, in apply order. */
  verdicts: MigrationVerdict[];
  migrations: MigrationsConfig;
  where: string;
  cwd: string;
  /** Add the backup check (backup.list) before the first destructive step. Default true. */
  backupAgeCheck?: boolean;
  /** Down SQL per migration id, for tools whose down is SQL we run ourselves (golang-migrate `.down.sql`, goose Down section, plain SQL). */
  downSql?: Record<string, string>;
  /** golang-migrate / goose: the version recorded before the bad release's first migration ("0" or absent = none). */
  priorVersion?: string;
  /**
   * The revision each migration's down step returns to, where the tool's own graph says so
   * (Alembic's down_revision, "base" for a root; null for a merge, which has several).
   * Without an entry, the migration before it in apply order.
   */
  previousOf?: Record<string, string | null>;
  /** 'down' (default): one down step per migration; 'restore': restore the backup instead. */
  mode?: UndoPath;
  /** The services that write to the database, stopped before a restore. */
  writers?: Array<{ name: string; stop?: string }>;
  /** With backup.create: the backup the backups log records for the release rolled back to (checked, then restored through {backup}). */
  backup?: ChosenBackup;
}

function needsUndo(v: MigrationVerdict): boolean {
  const up = v.findings.filter((f) => f.direction === 'up');
  if (v.class === 'destructive' || v.class === 'unknown') return true;
  // A mitigation without a generated statement (type change, dropped default) cannot be applied for the user.
  return up.some((f) => f.class === 'mitigate' && !f.fix);
}

/** The bad release's migrations that must be undone, not just mitigated: from the first such one to the newest, in apply order (tools undo from the newest). */
export function migrationsToUndo(verdicts: MigrationVerdict[]): MigrationVerdict[] {
  const first = verdicts.findIndex(needsUndo);
  return first < 0 ? [] : verdicts.slice(first);
}

/** What the operator weighs when both ways back exist: one down step at a time, or the backup. */
export interface UndoChoice {
  /** The files the down steps would undo, newest first. */
  downs: string[];
  /** What the down path loses, one sentence per finding. */
  downLoses: string[];
  restore: string;
  writers: string[];
}

/**
 * The question to ask before planning, or undefined when there is no choice: nothing to
 * undo, no `backup.restore`, or a migration without a down path (the plan then restores).
 */
export function undoChoice(input: DatabasePlanInput): UndoChoice | undefined {
  const undo = migrationsToUndo(input.verdicts);
  const restore = input.migrations.backup?.restore;
  if (!undo.length || !restore) return undefined;
  // Asked of the planner itself, not a second rule beside it: the down path falls back to the restore wherever a down step cannot be built.
  const fellBackToRestore = planDatabaseSteps({ ...input, mode: 'down' }).some((s) => s.id === 'db-restore');
  if (fellBackToRestore) return undefined;
  return {
    downs: undo.map((v) => v.migration.file).reverse(),
    downLoses: undo.flatMap((v) => v.findings.filter((f) => f.direction === 'down' && f.class === 'destructive').map((f) => `${v.migration.file}:${f.line}: ${f.reason}`)),
    restore,
    writers: (input.writers ?? []).map((w) => w.name),
  };
}

function cmd(command: string, input: DatabasePlanInput, stdin?: string): PlanCommand {
  return { command, where: input.where, cwd: input.cwd, ...(stdin !== undefined ? { input: stdin } : {}) };
}

function reasonsOf(findings: MigrationFinding[]): string {
  return findings.map((f) => `line ${f.line}: ${sentence(f.reason)}`).join(' ');
}

function versionNumber(id: string): string {
  return String(BigInt(id.replace(/\D/g, '') || '0'));
}

/** The SQL a down step feeds to `migrations.sql`: the down file plus the bookkeeping the tool would do. */
function downStepSql(v: MigrationVerdict, sql: string, previous: string | undefined): string | undefined {
  const body = sql.trim().replace(/;?$/, ';');
  switch (v.migration.tool) {
    case 'golang-migrate':
      if (previous === undefined) return undefined;
      return previous === '0'
        ? `BEGIN;\n${body}\nDELETE FROM schema_migrations;\nCOMMIT;\n`
        : `BEGIN;\n${body}\nUPDATE schema_migrations SET version = ${versionNumber(previous)}, dirty = false;\nCOMMIT;\n`;
    case 'goose':
      return `BEGIN;\n${body}\nDELETE FROM goose_db_version WHERE version_id = ${versionNumber(v.migration.id)};\nCOMMIT;\n`;
    default:
      return `BEGIN;\n${body}\nCOMMIT;\n`;
  }
}

export function backupCheckStep(input: DatabasePlanInput): PlanStep {
  const list = input.migrations.backup?.list;
  const maxAgeMs = input.migrations.backup?.maxAgeMs ?? CONFIG_DEFAULTS.backupMaxAgeMs;
  const purpose = input.mode === 'restore' ? 'restore' : 'undo';
  if (input.backup) return recordedBackupCheckStep({ chosen: input.backup, maxAgeMs, at: (c) => cmd(c, input), where: input.where, purpose });
  return {
    id: 'db-backup-check',
    kind: 'database',
    title: list ? `Check that a database backup at most ${formatAge(maxAgeMs)} old exists` : 'No backup.list configured: make sure a recent backup exists',
    ...(list ? { backupAge: { maxAgeMs, purpose } } : {}),
    why: list
      ? `Destructive database steps follow; only a backup brings lost data back. The newest backup's date is read from the list; none listed, or one older than ${formatAge(maxAgeMs)} (migrations.backup.maxAge), stops the run and asks.`
      : 'Destructive database steps follow and rollback.yml has no migrations.backup.list to check a backup with: confirm by hand that one exists.',
    commands: list ? [cmd(list, input)] : [],
    destructive: false,
    // Without a list command only the operator can say a backup exists.
    ...(list ? {} : { manual: true }),
  };
}

/** Tables the release touched that exist in the old release too (new tables vanish on restore). */
export function affectedTables(verdicts: MigrationVerdict[]): string[] {
  const created = new Set<string>();
  const touched = new Set<string>();
  const unq = (t: string) => t.replace(/"/g, '');
  for (const f of verdicts.flatMap((v) => v.findings.filter((x) => x.direction === 'up'))) {
    const s = f.statement;
    for (const m of s.matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?([\w."]+)/gi)) created.add(unq(m[1]));
    for (const m of s.matchAll(/(?:create_table|createTable)\(\s*['"`]([\w.]+)/g)) created.add(m[1]);
    for (const m of s.matchAll(/(?:alter\s+table|update|delete\s+from|insert\s+into|truncate|drop\s+table|\son)\s+(?:only\s+)?(?:if\s+exists\s+)?([\w."]+)/gi)) {
      touched.add(unq(m[1]));
    }
    for (const m of s.matchAll(/(?:add_column|drop_column|alter_column|create_unique_constraint|alterTable|table|addColumns|dropColumns|renameColumn|alterColumn|addConstraint|createTrigger)\(\s*['"`]([\w.]+)['"`]/g)) touched.add(m[1]);
  }
  return [...touched].filter((t) => !created.has(t) && /^[\w.]+$/.test(t)).sort();
}

/** The backup-restore path: stop the writers, restore, verify the migration table and row counts. */
export function planBackupRestore(rawInput: DatabasePlanInput): PlanStep[] {
  const input = withStrictSql(rawInput);
  const steps: PlanStep[] = [backupCheckStep(input)];
  const writers = input.writers ?? [];
  if (!writers.length) {
    steps.push({
      id: 'db-stop-writers',
      kind: 'database',
      title: 'Stop everything that writes to the database (no service in rollback.yml has a stop command)',
      why: 'Writes made during a restore are lost or conflict with it. Give the writing services a `stop` command and this step runs them.',
      commands: [],
      destructive: false,
      manual: true,
    });
  }
  for (const w of writers) {
    steps.push({
      id: `db-stop-writer-${w.name}`,
      kind: 'database',
      title: `Stop ${w.name} (writes to the database)`,
      why: 'Writes made during a restore are lost or conflict with it: stop every writer first.',
      commands: w.stop ? [cmd(w.stop, input)] : [],
      destructive: false,
      service: w.name,
    });
  }
  const template = input.migrations.backup?.restore;
  const filled = template ? fillRestoreCommand(template, input.backup) : undefined;
  const restore = filled && 'command' in filled ? filled.command : undefined;
  steps.push({
    id: 'db-restore',
    kind: 'database',
    title: restore ? `Restore the database backup${input.backup && 'record' in input.backup ? ` ${input.backup.record.path}` : ''}` : `Restore the database backup (${filled && 'problem' in filled ? filled.problem : 'no backup.restore configured'}: do it by hand)`,
    why: 'Brings back the data the bad release destroyed; everything written since the backup is lost.',
    commands: restore ? [cmd(restore, input)] : [],
    destructive: true,
    confirmEach: true,
  });
  const tool = input.verdicts[0]?.migration.tool;
  const table = tool ? MIGRATION_TABLES[tool] : undefined;
  const sql = input.migrations.sql;
  if (sql && table) {
    // Through psql the check fails the step by itself; with another client its output is for the operator to read.
    const check = isPsql(sql) ? noneRecordedCheckSql(input.verdicts) : undefined;
    steps.push({
      id: 'db-verify-migrations',
      kind: 'database',
      title: `Verify ${table.table} after the restore`,
      why: `The restored database must record the old release's migrations, none of the bad release's (${input.verdicts.map((v) => v.migration.id).join(', ')})${check ? '; the step fails if it records any' : ''}.`,
      commands: [cmd(sql, input, `${table.query};\n${check ?? ''}`)],
      destructive: false,
    });
  }
  const tables = affectedTables(input.verdicts);
  if (sql && tables.length) {
    const counts = `${tables.map((t) => `SELECT '${t}' AS "table", count(*) AS rows FROM ${t}`).join('\nUNION ALL\n')};\n`;
    // Counted once the writers are stopped, so the difference is what the restore did.
    const restoreAt = steps.findIndex((s) => s.id === 'db-restore');
    steps.splice(restoreAt, 0, {
      id: 'db-count-rows',
      kind: 'database',
      title: `Count the rows of ${tables.join(', ')} before the restore`,
      why: 'The same counts are taken after the restore and compared.',
      commands: [cmd(sql, input, counts)],
      destructive: false,
    });
    steps.push({
      id: 'db-verify-rows',
      kind: 'database',
      title: `Verify row counts of ${tables.join(', ')}`,
      why: 'Compared with the counts before the restore: a table that had rows and came back empty fails the step; a restore that silently came back empty is worse than none.',
      commands: [cmd(sql, input, counts)],
      destructive: false,
      rowCountsBefore: 'db-count-rows',
    });
  }
  return steps;
}

/**
 * psql exits 0 after a failed statement unless ON_ERROR_STOP is set, which would record a
 * failed fix or down step as "ok"; the flag is added where the configured command lacks it.
 */
export function strictSqlCommand(sql: string | undefined): string | undefined {
  if (!sql) return sql;
  return isPsql(sql) && !/ON_ERROR_STOP/i.test(sql) ? `${sql} -v ON_ERROR_STOP=1` : sql;
}

/** psql, made strict above, is the one client known to exit non-zero when a statement raises: checks that fail by raising rely on it. */
function isPsql(sql: string): boolean {
  return /\bpsql\b/.test(sql);
}

/** The same input with its `migrations.sql` made strict (see strictSqlCommand). */
function withStrictSql(input: DatabasePlanInput): DatabasePlanInput {
  return { ...input, migrations: { ...input.migrations, sql: strictSqlCommand(input.migrations.sql) } };
}

export function planDatabaseSteps(rawInput: DatabasePlanInput): PlanStep[] {
  const input = withStrictSql(rawInput);
  const { verdicts, migrations } = input;
  if (!verdicts.length) return [];
  const steps: PlanStep[] = [];
  const safe = verdicts.filter((v) => v.class === 'safe');
  steps.push({
    id: 'db-summary',
    kind: 'database',
    title: `Database: ${summarize(verdicts)}`,
    why: safe.length
      ? `Left in place (the old code ignores them): ${safe.map((v) => v.migration.file).join(', ')}.`
      : 'Every migration of the bad release needs attention.',
    commands: [],
    destructive: false,
  });
  if (input.mode === 'restore') return [...steps, ...planBackupRestore(input)];

  // Tools undo one step at a time from the newest; undoing migration i means undoing every later one first.
  const undo = migrationsToUndo(verdicts);
  const mitigateOnly = verdicts.slice(0, verdicts.length - undo.length).filter((v) => v.class === 'mitigate');

  for (const v of mitigateOnly) {
    const fixes = v.findings.filter((f) => f.direction === 'up' && f.class === 'mitigate' && f.fix);
    fixes.forEach((f, i) => {
      steps.push({
        id: `db-mitigate-${v.migration.id}-${i + 1}`,
        kind: 'database',
        title: migrations.sql ? `Mitigate ${v.migration.file}:${f.line}: ${f.fix}` : `Run by hand (no migrations.sql configured): ${f.fix}`,
        why: `${f.rule}: ${sentence(f.reason)} Risk of the fix: ${sentence(f.fixRisk ?? 'none known')}`,
        commands: migrations.sql ? [cmd(migrations.sql, input, `${f.fix}\n`)] : [],
        destructive: false,
        confirmEach: true,
      });
    });
  }
  if (!undo.length) return steps;

  if (input.backupAgeCheck !== false) steps.push(backupCheckStep(input));
  let canDown = true;
  for (const [k, v] of [...undo].reverse().entries()) {
    const indexInRelease = verdicts.indexOf(v);
    const ownPrevious = input.previousOf?.[v.migration.id];
    const previous = ownPrevious !== undefined ? ownPrevious ?? undefined : indexInRelease > 0 ? verdicts[indexInRelease - 1].migration.id : input.priorVersion;
    const downSql = input.downSql?.[v.migration.id];
    const upProblems = v.findings.filter((f) => f.direction === 'up' && f.class !== 'safe');
    const lost = v.findings.filter((f) => f.direction === 'down' && f.class === 'destructive');
    const why =
      `${CLASS_LABEL[v.class]}: ${reasonsOf(upProblems) || 'a later migration must be undone first.'}` +
      (lost.length ? ` Data loss on the way down: ${reasonsOf(lost)}` : '') +
      (k > 0 ? ' Chained down step: confirm it on its own after reading its SQL.' : '');
    const runsSql = !migrations.down && downSql !== undefined && migrations.sql;
    const stdin = runsSql ? downStepSql(v, downSql, previous) : undefined;
    const placeholders = { id: v.migration.id, file: v.migration.file, previous };
    const down = migrations.down ? fillDownCommand(migrations.down, placeholders) : undefined;
    const preview = fillDownCommand(migrations.preview ?? 'cat -- {file}', placeholders);
    const fillProblem = down && 'problem' in down ? down.problem : down && 'problem' in preview ? preview.problem : undefined;
    // Another client could exit 0 after the check raises and make a down that never ran look done.
    const checkSql = migrations.sql && isPsql(migrations.sql) ? downDoneCheckSql(v, previous) : undefined;
    const alreadyDone = checkSql && migrations.sql ? { alreadyDone: cmd(migrations.sql, input, checkSql) } : {};
    if (down && 'command' in down && 'command' in preview) {
      steps.push({
        id: `db-preview-${v.migration.id}`,
        kind: 'database',
        title: `Preview the down step of ${v.migration.file}`,
        why: 'Shows exactly what the next step will run against the database; read it before confirming.',
        commands: [cmd(preview.command, input)],
        destructive: false,
      });
      steps.push({
        id: `db-down-${v.migration.id}`,
        kind: 'database',
        title: `Undo ${v.migration.file} (one down step)`,
        why,
        commands: [cmd(down.command, input)],
        destructive: true,
        confirmEach: true,
        ...alreadyDone,
      });
    } else if (stdin !== undefined && migrations.sql) {
      // The SQL on stdin is the preview: what the step shows is byte for byte what runs.
      steps.push({
        id: `db-down-${v.migration.id}`,
        kind: 'database',
        title: `Undo ${v.migration.file} (one down step, SQL shown below)`,
        why,
        commands: [cmd(migrations.sql, input, stdin)],
        destructive: true,
        confirmEach: true,
        ...alreadyDone,
      });
    } else {
      canDown = false;
      steps.push({
        id: `db-down-${v.migration.id}`,
        kind: 'database',
        title: `No down step available for ${v.migration.file}: restore a backup or undo it by hand`,
        why:
          `${why} ` +
          (fillProblem ? `No down command: ${sentence(fillProblem)}` : migrations.down ? '' : downSql === undefined ? 'No down SQL and no migrations.down command.' : previous === undefined ? 'The version to record after the down step is unknown (priorVersion).' : 'No migrations.sql command to run it.'),
        commands: [],
        destructive: true,
        confirmEach: true,
      });
      break;
    }
  }
  if (!canDown) steps.push(...planBackupRestore(input).filter((s) => s.id !== 'db-backup-check'));
  return steps;
}
