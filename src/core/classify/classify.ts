import type { Migration, MigrationFinding, MigrationVerdict } from '../migrations/types';
import type { FileSystemPort } from '../ports';
import { analyzeAlembic } from './alembic';
import { decodeSource } from './encoding';
import { analyzeJsMigration } from './jsMigrations';
import { worstClass } from './rules';
import { beforeFromDown } from './beforeSchema';
import { configuredDialect, readPrismaProvider } from './dialect';
import { earlierSchemaFor, functionHistory } from './history';
import { copyBefore } from './schemaHistory';
import { emptyBefore, NOTHING_KNOWN, type BeforeSchema } from './rules/common';
import { analyzeSql } from './sqlAnalysis';
import type { ParsedSql, SqlParser } from './sqlPort';

export interface ClassifyInput {
  migration: Migration;
  /** The migration file's content; pass the raw bytes so a non-UTF-8 file is reported, not garbled. */
  upSource: string | Uint8Array;
  /** The separate down file (golang-migrate `.down.sql`), when the tool keeps one. */
  downSource?: string | Uint8Array;
  parser: SqlParser;
  /** The database behind the migrations when known (Prisma's datasource provider, Knex's client): `mysql` switches to text analysis. */
  dialect?: string;
  /** Where the dialect was read (prisma/schema.prisma, knexfile.js), for the reasons. */
  dialectFrom?: string;
  /** Functions earlier migrations of the folder define, when the caller could read them. */
  history?: BeforeSchema['history'];
  /** The schema the earlier migrations of the folder leave, when the caller could read them. */
  earlier?: BeforeSchema;
}

/** A parser that parses each text once per classification: the down path is read for the previous schema and analysed itself. */
function parseOnce(parser: SqlParser): SqlParser {
  const seen = new Map<string, Promise<ParsedSql>>();
  return {
    parse(sql) {
      let p = seen.get(sql);
      if (!p) seen.set(sql, (p = parser.parse(sql)));
      return p;
    },
  };
}

/** The previous schema as the down path restores it; parsed only when the up path has something it decides. */
async function beforeOf(up: string, down: string | undefined, parser: SqlParser, history: BeforeSchema['history'], earlier?: BeforeSchema): Promise<BeforeSchema> {
  const readDown = !!down?.trim() && /\b(TYPE|VIEW|FUNCTION|DEFAULT)\b/i.test(up);
  // Nothing known about the schema before (the common case): one shared, empty answer instead of nine new collections per file.
  if (!earlier && !history && !readDown) return NOTHING_KNOWN;
  // The earlier migrations say what the schema held; the down path, where it says, is nearer to the truth and wins.
  const before = earlier ? copyBefore(earlier) : emptyBefore();
  before.history = history;
  if (readDown && down) {
    const parsed = await parser.parse(down);
    if (parsed.ok) beforeFromDown(parsed.statements.map((s) => s.node), before, parsed.statements.map((s) => s.text));
  }
  return before;
}

function problemFinding(reason: string, rule: string, line = 1, column = 1, direction: 'up' | 'down' = 'up'): MigrationFinding {
  return { class: 'unknown', rule, statement: '', line, column, reason, direction, confidence: 'text' };
}

/** Splits a goose SQL file into its `-- +goose Up` and `-- +goose Down` sections. */
export function gooseSections(text: string): { up?: { sql: string; line: number }; down?: { sql: string; line: number } } {
  const lines = text.split('\n');
  const out: { up?: { sql: string; line: number }; down?: { sql: string; line: number } } = {};
  let current: 'up' | 'down' | undefined;
  let buf: string[] = [];
  let startLine = 0;
  const flush = () => {
    if (current) out[current] = { sql: buf.join('\n'), line: startLine };
  };
  lines.forEach((l, i) => {
    const m = /^\s*--\s*\+goose\s+(Up|Down)\b/i.exec(l);
    if (m) {
      flush();
      current = m[1].toLowerCase() as 'up' | 'down';
      buf = [];
      startLine = i + 2;
    } else if (current) buf.push(l);
  });
  flush();
  return out;
}

/** Classifies one migration for a code rollback: its up path decides the class; its down path is analysed too. */
export async function classifyMigration(input: ClassifyInput): Promise<MigrationVerdict> {
  const { migration } = input;
  const parser = parseOnce(input.parser);
  const findings: MigrationFinding[] = [];
  for (const p of migration.problems) findings.push(problemFinding(`${migration.file}: ${p}`, 'migration-problem'));

  const up = decodeSource(input.upSource, shownFile(migration));
  if (!up.ok) {
    findings.push(problemFinding(up.message, 'not-utf8', up.line, up.column));
    return verdictOf(migration, findings);
  }
  let down: string | undefined;
  if (input.downSource !== undefined) {
    const d = decodeSource(input.downSource, migration.downFile ?? migration.file);
    if (d.ok) down = d.text;
    else findings.push(problemFinding(d.message, 'not-utf8', d.line, d.column, 'down'));
  }

  switch (migration.tool) {
    case 'alembic':
      findings.push(...(await analyzeAlembic(up.text, { parser, file: migration.file, history: input.history, earlier: input.earlier })));
      break;
    case 'knex':
    case 'node-pg-migrate':
      findings.push(...(await analyzeJsMigration(up.text, { parser, file: migration.file, tool: migration.tool, dialect: input.dialect, history: input.history, earlier: input.earlier })));
      break;
    case 'goose': {
      if (/\.go$/.test(migration.file)) {
        findings.push(problemFinding(`${migration.file}: a goose migration written in Go is not analysed: review by hand.`, 'go-migration'));
        break;
      }
      const s = gooseSections(up.text);
      if (!s.up) findings.push(problemFinding(`${migration.file}: no "-- +goose Up" section found.`, 'no-up-section'));
      const before = await beforeOf(s.up?.sql ?? '', s.down?.sql, parser, input.history, input.earlier);
      const upRes = await analyzeSql(s.up?.sql ?? '', { direction: 'up', parser, origin: { line: s.up?.line ?? 1, column: 1 }, dialect: input.dialect, dialectFrom: input.dialectFrom, before });
      findings.push(...upRes.findings);
      if (s.down && s.down.sql.trim()) {
        const downRes = await analyzeSql(s.down.sql, { direction: 'down', parser, origin: { line: s.down.line, column: 1 }, upContext: upRes.context, dialect: input.dialect, dialectFrom: input.dialectFrom });
        findings.push(...downRes.findings);
      } else findings.push(noDownFinding(migration));
      break;
    }
    default: {
      const before = await beforeOf(up.text, down, parser, input.history, input.earlier);
      const upRes = await analyzeSql(up.text, { direction: 'up', parser, dialect: input.dialect, dialectFrom: input.dialectFrom, before });
      findings.push(...upRes.findings);
      if (down !== undefined && down.trim()) {
        const downRes = await analyzeSql(down, { direction: 'down', parser, upContext: upRes.context, dialect: input.dialect, dialectFrom: input.dialectFrom });
        // A separate down file: its findings point into that file, so say which one.
        for (const f of downRes.findings) findings.push({ ...f, reason: `${migration.downFile ?? 'down file'}: ${f.reason}` });
      } else if (down === undefined || !down.trim()) findings.push(noDownFinding(migration));
    }
  }
  return verdictOf(migration, findings);
}

function noDownFinding(migration: Migration): MigrationFinding {
  const why =
    migration.tool === 'prisma'
      ? 'Prisma keeps no down migrations: undoing this needs a generated diff script (prisma migrate diff), the mitigations below, or a backup restore.'
      : 'No down path: undoing this needs the mitigations below or a backup restore.';
  return { class: 'unknown', rule: 'no-down-path', statement: '', line: 1, column: 1, reason: why, direction: 'down', confidence: 'text' };
}

/** The file a user opens: Prisma's migration is a folder, its SQL is migration.sql inside. */
function shownFile(m: Migration): string {
  return m.tool === 'prisma' && !/\.sql$/.test(m.file) ? `${m.file}/migration.sql` : m.file;
}

/** A file that does not parse or decode: what was read of it is shown, but the verdict is unknown (the tool may not even run it). */
const UNREADABLE = new Set(['unparsable-python', 'unparsable-script', 'unparsable-sql', 'not-utf8']);

function verdictOf(migration: Migration, findings: MigrationFinding[]): MigrationVerdict {
  const upFindings = findings.filter((f) => f.direction === 'up');
  // Every such finding says where: file:line:column first, as an editor or a terminal links it.
  for (const f of findings) {
    if (UNREADABLE.has(f.rule) && !/^[^\s:]+:\d+:\d+: /.test(f.reason)) f.reason = `${f.direction === 'down' && migration.downFile ? migration.downFile : shownFile(migration)}:${f.line}:${f.column}: ${f.reason.replace(/^[^\s:]+: /, '')}`;
  }
  const cls = upFindings.some((f) => UNREADABLE.has(f.rule)) ? 'unknown' : upFindings.length ? worstClass(upFindings.map((f) => f.class)) : 'safe';
  return { migration: { tool: migration.tool, id: migration.id, file: migration.file }, class: cls, findings };
}

/** The datasource provider of a schema.prisma (`postgresql`, `mysql` …), for `ClassifyInput.dialect`. */
export function prismaDialect(schemaPrisma: string): string | undefined {
  return readPrismaProvider(schemaPrisma, 'schema.prisma').dialect;
}

/** Reads a migration's files through the port and classifies it; a read failure becomes an "unknown" verdict with the reason. */
export async function classifyFromFiles(input: {
  migration: Migration;
  fs: FileSystemPort;
  /** Repository root; `migration.file` is relative to it. */
  root: string;
  parser: SqlParser;
  dialect?: string;
}): Promise<MigrationVerdict> {
  const { migration, fs, root } = input;
  const join = (p: string) => `${root.replace(/\/$/, '')}/${p}`;
  const file = migration.tool === 'prisma' && !/\.sql$/.test(migration.file) ? `${migration.file}/migration.sql` : migration.file;
  let upSource: Uint8Array;
  let downSource: Uint8Array | undefined;
  try {
    upSource = await fs.readFile(join(file));
  } catch (e) {
    return verdictOf(migration, [problemFinding(`${file}: cannot read the file: ${(e as Error).message}`, 'unreadable-file')]);
  }
  if (migration.downFile) {
    try {
      downSource = await fs.readFile(join(migration.downFile));
    } catch {
      downSource = undefined;
    }
  }
  // The tool's configuration names the database; a broken one is reported, located, on every migration it governs.
  const info = input.dialect ? { dialect: input.dialect, from: undefined, problem: undefined } : await configuredDialect(fs, root, migration);
  const upText = new TextDecoder().decode(upSource);
  const history = await functionHistory(fs, root, migration, upText);
  const earlier = await earlierSchemaFor(fs, root, migration, upText, input.parser);
  const verdict = await classifyMigration({ migration, upSource, downSource, parser: input.parser, dialect: info.dialect, dialectFrom: info.from, history, earlier });
  if (!info.problem) return verdict;
  return verdictOf(migration, [problemFinding(info.problem.message, 'unknown-dialect'), ...verdict.findings]);
}
