// Which migrations the target database has applied, read from the tool's own table.

import type { MigrationTool } from '../config/types';
import type { Migration } from '../migrations/types';

/** Runs one query and returns its rows as text columns. Implemented by src/infra/sql/pgClient.ts. */
export interface SqlQueryPort {
  query(sql: string): Promise<string[][]>;
}

export type AppliedMark = 'applied' | 'pending' | 'unknown';

export interface AppliedState {
  /** False when the database or the tool's table could not be read; `message` says why. */
  readable: boolean;
  message?: string;
  table?: string;
  /** Per migration id. */
  marks: Map<string, AppliedMark>;
  /** Disagreements between the database and the files, each a sentence. */
  drift: string[];
}

/** The tool's own bookkeeping table, and the query that lists what it recorded. */
export const MIGRATION_TABLES: Partial<Record<MigrationTool, { table: string; query: string }>> = {
  alembic: { table: 'alembic_version', query: 'SELECT version_num FROM alembic_version' },
  prisma: { table: '_prisma_migrations', query: 'SELECT migration_name, finished_at IS NOT NULL, rolled_back_at IS NOT NULL FROM _prisma_migrations ORDER BY started_at' },
  knex: { table: 'knex_migrations', query: 'SELECT name FROM knex_migrations ORDER BY id' },
  'node-pg-migrate': { table: 'pgmigrations', query: 'SELECT name FROM pgmigrations ORDER BY run_on, id' },
  'golang-migrate': { table: 'schema_migrations', query: 'SELECT version, dirty FROM schema_migrations' },
  goose: { table: 'goose_db_version', query: 'SELECT version_id, is_applied FROM goose_db_version ORDER BY id' },
};

function stem(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.(up|down)\.sql$|\.[a-z]+$/i, '');
}

function keysOf(m: Migration): string[] {
  return [m.id, m.name, stem(m.file), m.file.split('/').pop() ?? m.file];
}

export async function readAppliedState(input: { tool: MigrationTool; migrations: Migration[]; db: SqlQueryPort }): Promise<AppliedState> {
  const { tool, migrations } = input;
  const spec = MIGRATION_TABLES[tool];
  const marks = new Map<string, AppliedMark>(migrations.map((m) => [m.id, 'unknown']));
  if (!spec) return { readable: false, message: `${tool}: plain SQL files keep no migration table; applied state unknown.`, marks, drift: [] };
  let rows: string[][];
  try {
    rows = await input.db.query(spec.query);
  } catch (e) {
    const msg = (e as Error).message.trim();
    const missing = /does not exist/.test(msg);
    return {
      readable: false,
      table: spec.table,
      message: missing ? `The database has no ${spec.table} table: no ${tool} migration was ever applied there, or this is the wrong database. (${msg})` : `Cannot read ${spec.table}: ${msg}`,
      marks,
      drift: [],
    };
  }
  const drift: string[] = [];
  const applied = new Set<string>();
  const recorded: string[] = [];
  if (tool === 'alembic') {
    // alembic_version holds only the heads; everything they descend from is applied too.
    const byId = new Map(migrations.map((m) => [m.id, m]));
    const stack = rows.map((r) => r[0]);
    recorded.push(...stack);
    while (stack.length) {
      const id = stack.pop()!;
      if (applied.has(id)) continue;
      applied.add(id);
      for (const p of byId.get(id)?.parents ?? []) stack.push(p);
    }
  } else if (tool === 'golang-migrate') {
    const [version, dirty] = rows[0] ?? [];
    if (version !== undefined) {
      recorded.push(version);
      for (const m of migrations) if (BigInt(m.id.replace(/\D/g, '') || '0') <= BigInt(version)) applied.add(m.id);
      if (dirty === 't' || dirty === 'true') drift.push(`schema_migrations is dirty at version ${version}: a migration failed half-way; fix the schema by hand and force the version before any down step.`);
    }
  } else if (tool === 'goose') {
    const state = new Map<string, boolean>();
    for (const [v, ok] of rows) state.set(v, ok === 't' || ok === 'true');
    for (const [v, ok] of state) if (ok && v !== '0') recorded.push(v);
  } else if (tool === 'prisma') {
    for (const [name, finished, rolledBack] of rows) {
      if (rolledBack === 't') continue;
      if (finished !== 't') drift.push(`${name} started but did not finish (failed migration): resolve it with prisma migrate resolve.`);
      else recorded.push(name);
    }
  } else {
    for (const [name] of rows) recorded.push(name);
  }
  if (tool !== 'alembic' && tool !== 'golang-migrate') {
    const rec = new Set(recorded.map((r) => stem(r)).concat(recorded));
    for (const m of migrations) if (keysOf(m).some((k) => rec.has(k) || rec.has(k.replace(/^0+/, '')))) applied.add(m.id);
  }
  const known = new Set(migrations.flatMap(keysOf));
  for (const r of recorded) {
    if (!known.has(r) && !known.has(stem(r)) && !migrations.some((m) => m.id.replace(/^0+/, '') === r)) {
      drift.push(`The database records ${r}, which has no file here: the database is ahead of this checkout, or a file was removed.`);
    }
  }
  let lastApplied = -1;
  const sorted = [...migrations].sort((a, b) => a.order - b.order);
  sorted.forEach((m, i) => {
    if (applied.has(m.id)) lastApplied = i;
  });
  for (const [i, m] of sorted.entries()) {
    marks.set(m.id, applied.has(m.id) ? 'applied' : 'pending');
    if (!applied.has(m.id) && i < lastApplied) drift.push(`${m.file} is pending but later migrations are applied: it was skipped or applied out of order.`);
  }
  return { readable: true, table: spec.table, marks, drift };
}
