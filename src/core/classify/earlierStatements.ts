// What an earlier migration of the folder did to the schema, as PostgreSQL statements, for the
// schema history: SQL files as written, and Knex, node-pg-migrate and Alembic files through the
// same translation of their calls that judges them. Only the up path counts (it is what was
// applied). A call whose SQL is built at run time, or raw SQL that reads as MySQL, adds nothing:
// the history then does not know what it did, and the rules judge from the file, as before.

import type { MigrationTool } from '../config/types';
import { alembicMigrationOps } from './alembic';
import { looksLikeMySql } from './dialect';
import { jsMigrationOps } from './jsMigrations';
import type { MigrationOp } from './opAnalysis';
import type { SqlParser, SqlStatement } from './sqlPort';

/** A goose file's Up section (the whole text for other tools). */
export function upSection(text: string): string {
  const up = /^\s*--\s*\+goose\s+Up\b.*$/im.exec(text);
  if (!up) return text;
  const rest = text.slice(up.index + up[0].length);
  const down = /^\s*--\s*\+goose\s+Down\b/im.exec(rest);
  return down ? rest.slice(0, down.index) : rest;
}

async function statementsOfOps(ops: MigrationOp[], parser: SqlParser): Promise<SqlStatement[]> {
  const out: SqlStatement[] = [];
  for (const op of ops) {
    if (op.direction !== 'up' || op.unknownReason) continue;
    const sql = op.sql ?? op.rawSql;
    if (sql === undefined || (op.rawSql !== undefined && looksLikeMySql(op.rawSql))) continue;
    const parsed = await parser.parse(sql);
    if (parsed.ok) out.push(...parsed.statements);
  }
  return out;
}

/** The up path's statements of one earlier migration file; [] when it cannot be read (its changes stay unknown, never guessed). */
export async function upStatementsOf(tool: MigrationTool, text: string, file: string, parser: SqlParser): Promise<SqlStatement[]> {
  if (tool === 'knex' || tool === 'node-pg-migrate') {
    const read = jsMigrationOps(text, { file, tool });
    return 'failure' in read ? [] : statementsOfOps(read.ops, parser);
  }
  if (tool === 'alembic') return statementsOfOps(alembicMigrationOps(text, file).ops, parser);
  const parsed = await parser.parse(upSection(text));
  return parsed.ok ? parsed.statements : [];
}
