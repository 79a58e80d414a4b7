// What one down step runs and how a resume tells that it already ran. A down step is the
// one step a resume must never repeat blindly: `alembic downgrade -1` run twice undoes a
// migration nobody chose to undo.

import type { MigrationTool } from '../config/types';
import type { MigrationVerdict } from '../migrations/types';
import { shQuote } from '../plan/shellQuote';
import { codeSpan } from '../plan/sentence';
import { DOWN_PLACEHOLDERS, templateQuotingProblem } from '../config/templateQuoting';

export type DownPlaceholders = { id: string; file: string; previous: string | undefined };

export type FilledCommand = { command: string } | { problem: string };

/**
 * `migrations.down` / `migrations.preview` with {id}, {previous} and {file} filled in for
 * one migration. A command that needs {previous} where it is unknown gets a problem instead
 * of a guess: the wrong target would undo too much or too little. A placeholder the shell
 * would not read as a plain word (inside quotes, sh -c '…', backticks) gets a problem too.
 */
export function fillDownCommand(template: string, p: DownPlaceholders): FilledCommand {
  // Checked here too, not only in Problems: a plan must never carry a value the shell re-reads.
  const quoting = templateQuotingProblem(template, DOWN_PLACEHOLDERS);
  if (quoting) return { problem: `${codeSpan(template)} cannot be filled in safely: ${quoting}` };
  if (template.includes('{previous}') && p.previous === undefined) {
    return { problem: `the revision that ${p.id} returns to is not known (a merge revision, or nothing before it was found), so {previous} in ${codeSpan(template)} cannot be filled in` };
  }
  const values: Record<string, string> = { id: p.id, file: p.file, previous: p.previous ?? '' };
  // A quoted line break is data to a shell that parses the whole line, but bash, after a syntax error earlier on the
  // line, starts again at the next line inside the value and runs the rest. No migration's id or file needs one.
  const broken = DOWN_PLACEHOLDERS.find((k) => template.includes(`{${k}}`) && /[\n\r]/.test(values[k]));
  if (broken) return { problem: `the ${broken === 'file' ? 'file name' : broken === 'id' ? 'id' : 'previous revision'} of migration ${JSON.stringify(p.id)} has a line break, which is never passed to a shell: rename it` };
  return { command: template.replace(/\{(id|file|previous)\}/g, (_, k: string) => shQuote(values[k])) };
}

/** The column each tool records a migration under, and whether its ids are stored verbatim. */
type KeyKind = 'verbatim' | 'number' | 'name';
const RECORDED_AS: Partial<Record<MigrationTool, { table: string; column: string; key: KeyKind }>> = {
  alembic: { table: 'alembic_version', column: 'version_num', key: 'verbatim' },
  // Version numbers: 000008_x.up.sql is recorded as 8.
  'golang-migrate': { table: 'schema_migrations', column: 'version', key: 'number' },
  goose: { table: 'goose_db_version', column: 'version_id', key: 'number' },
  // Names: knex records the file name with its extension, node-pg-migrate the stem.
  knex: { table: 'knex_migrations', column: 'name', key: 'name' },
  'node-pg-migrate': { table: 'pgmigrations', column: 'name', key: 'name' },
};

const NOTHING_BEFORE = new Set(['0', 'base']);

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function keys(id: string, file: string, kind: KeyKind): string[] {
  if (kind === 'verbatim') return [id];
  if (kind === 'number') return /^\d+$/.test(id) ? [String(BigInt(id))] : [id];
  const ext = /\.[a-z]+$/i.exec(file)?.[0] ?? '';
  return [...new Set([id, `${id}${ext}`])];
}

/**
 * SQL for `migrations.sql` that succeeds only when the down step's effect is there: the
 * migration is no longer recorded and the one before it still is. Requiring the previous one
 * guards against a key spelled differently from what the tool stores, which would otherwise
 * read as "already undone" and skip a down step that never ran. Undefined where that cannot
 * be told (no table, name-keyed tool with nothing before it).
 */
export function downDoneCheckSql(v: MigrationVerdict, previous: string | undefined): string | undefined {
  const spec = RECORDED_AS[v.migration.tool];
  if (!spec) return undefined;
  const hasPrevious = previous !== undefined && !NOTHING_BEFORE.has(previous);
  if (!hasPrevious && spec.key === 'name') return undefined;
  const where = (ks: string[]) => `SELECT 1 FROM ${spec.table} WHERE ${spec.column}::text IN (${ks.map(literal).join(', ')})`;
  const id = v.migration.id;
  const lines = [
    `  IF EXISTS (${where(keys(id, v.migration.file, spec.key))}) THEN RAISE EXCEPTION ${literal(`${id} is still applied`)}; END IF;`,
  ];
  if (hasPrevious) {
    lines.push(`  IF NOT EXISTS (${where(keys(previous, v.migration.file, spec.key))}) THEN RAISE EXCEPTION ${literal(`${previous} is not recorded`)}; END IF;`);
  }
  return `DO $rollback_pilot$ BEGIN\n${lines.join('\n')}\nEND $rollback_pilot$;\n`;
}

/**
 * SQL that fails while the tool's table still records any of these migrations: the check
 * after a restore that the backup predates the bad release. Undefined where the table or its
 * keys are not known.
 */
export function noneRecordedCheckSql(verdicts: MigrationVerdict[]): string | undefined {
  const tool = verdicts[0]?.migration.tool;
  const spec = tool ? RECORDED_AS[tool] : undefined;
  if (!spec || verdicts.some((v) => v.migration.tool !== tool)) return undefined;
  const ks = verdicts.flatMap((v) => keys(v.migration.id, v.migration.file, spec.key));
  const names = verdicts.map((v) => v.migration.id).join(', ');
  return (
    `DO $rollback_pilot$ BEGIN\n` +
    `  IF EXISTS (SELECT 1 FROM ${spec.table} WHERE ${spec.column}::text IN (${ks.map(literal).join(', ')})) THEN RAISE EXCEPTION ${literal(`${spec.table} still records the bad release's migrations (${names}): this backup was taken after the deploy`)}; END IF;\n` +
    `END $rollback_pilot$;\n`
  );
}
