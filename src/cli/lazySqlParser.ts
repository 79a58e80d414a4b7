import type { ParsedSql, SqlParser } from '../core/classify/sqlPort';

/**
 * The PostgreSQL parser, loaded with the first SQL text to parse. libpg-query compiles its
 * 1.1 MB wasm as soon as its module is required, which cost every command (--help, a plan
 * with no SQL migration) about a fifth of its start-up; only `analyze` and plans over SQL
 * migrations need it.
 */
export class LazySqlParser implements SqlParser {
  private parser?: Promise<SqlParser>;

  parse(sql: string): Promise<ParsedSql> {
    this.parser ??= import('../infra/sql/pgParser').then((m) => new m.PgSqlParser());
    return this.parser.then((p) => p.parse(sql));
  }
}
