// The rehearsal itself: a database of its own on the scratch server, the environment's
// schema loaded into it, then each rehearsable step's SQL statement by statement, the way
// production's psql would run it (each statement its own transaction, or the step's own
// BEGIN … COMMIT as one), with the locks each statement holds read from pg_locks by a second
// session before the transaction ends. The scratch database is dropped at the end.

import type { SqlParser, SqlStatement } from '../classify/sqlPort';
import type { RehearsalUnit } from './units';
import { quoteIdent, quoteLiteral, rolesNamedIn } from './roles';
import { ScratchUnreachableError, type HeldLock, type RehearsalReport, type ScratchServer, type ScratchSession, type StatementReport, type UnitReport } from './types';

export const LOCK_METHOD =
  'Locks: after each statement, before its transaction ends, a second session on the scratch database read pg_locks for the rehearsing session: these are the heavyweight locks the statement holds until its transaction ends (relation and object locks; catalog and TOAST relations, and relations the transaction itself created, which no other session can see, left out). ' +
  'Locks taken and released inside a statement, row locks, and waits behind production traffic are not seen; the scratch copy has the schema and no data, so a statement that rewrites or scans a table is instant here and takes as long as the table is big in production: read the lock modes, not the times.';

export interface RehearsalDeps {
  scratch: ScratchServer;
  parser: SqlParser;
  /** Prints the environment's schema (pg_dump --schema-only through its sql: path). */
  dumpSchema(): Promise<string>;
  now(): number;
  /** Name of the database the rehearsal creates on the scratch server (and drops). */
  database: string;
  statementTimeoutMs: number;
  loadTimeoutMs: number;
  /** The optional compatibility check, run against the rehearsed database before it is dropped. */
  compatibilityCheck?: (url: string) => Promise<{ command: string; ok: boolean; detail: string; output: string }>;
  progress?(line: string): void;
}

export interface RehearsalSubject {
  environment: string;
  planId: string;
  units: RehearsalUnit[];
}

const LOCKS_SQL = (pid: number) =>
  `SELECT l.locktype, CASE WHEN l.relation IS NOT NULL THEN n.nspname || '.' || c.relname WHEN l.locktype = 'object' THEN COALESCE(pg_describe_object(l.classid, l.objid, l.objsubid), '') ELSE '' END, l.mode, l.granted ` +
  `FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace ` +
  // A relation the transaction created itself (a new TOAST table or index) is invisible to every other session, so a lock on it blocks nobody.
  `WHERE l.pid = ${pid} AND l.locktype NOT IN ('virtualxid', 'transactionid') AND (l.relation IS NULL OR c.oid IS NOT NULL) AND COALESCE(n.nspname, '') NOT IN ('pg_catalog', 'pg_toast', 'information_schema') ORDER BY 2, 3`;

const lockKey = (l: HeldLock) => `${l.locktype}\0${l.on}\0${l.mode}`;

export class RehearsalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RehearsalError';
  }
}

export async function rehearse(subject: RehearsalSubject, deps: RehearsalDeps): Promise<RehearsalReport> {
  const started = deps.now();
  const say = (line: string) => deps.progress?.(line);
  const report: RehearsalReport = {
    ok: false,
    environment: subject.environment,
    planId: subject.planId,
    scratch: deps.scratch.describe,
    database: deps.database,
    dumpBytes: 0,
    loadErrors: [],
    rolesCreated: [],
    units: [],
    method: LOCK_METHOD,
    cleanup: [],
    startedAt: new Date(started).toISOString(),
    ms: 0,
  };
  // The scratch server first: it is this machine's, and cheap to ask; production is read only once it answers.
  say(`Connecting to the scratch server ${deps.scratch.describe}`);
  const admin = await deps.scratch.open().catch((e: Error) => {
    throw e instanceof ScratchUnreachableError ? e : new ScratchUnreachableError(deps.scratch.describe, e.message);
  });
  let created = false;
  try {
    say('Reading the schema (no data) of the environment\'s database');
    const dump = await deps.dumpSchema();
    report.dumpBytes = new TextEncoder().encode(dump).length;
    if (!/\bCREATE\b/i.test(dump)) throw new RehearsalError(`the schema dump is empty (${report.dumpBytes} bytes, no CREATE statement): is migrations.sql (or migrations.schemaDump) pointed at the right database?`);

    const roles = rolesNamedIn(dump, ...subject.units.map((u) => u.sql ?? ''));
    if (roles.length) {
      const existing = new Set((await admin.query(`SELECT rolname FROM pg_roles WHERE rolname IN (${roles.map(quoteLiteral).join(', ')})`, deps.statementTimeoutMs)).map((r) => r[0]));
      for (const role of roles.filter((r) => !existing.has(r))) {
        const r = await admin.run(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`, deps.statementTimeoutMs);
        if (!r.ok) throw new RehearsalError(`could not create the role ${role} the schema names on the scratch server: ${r.error}`);
        report.rolesCreated.push(role);
      }
    }
    say(`Creating the scratch database ${deps.database}`);
    const made = await admin.run(`CREATE DATABASE ${quoteIdent(deps.database)} TEMPLATE template0`, deps.loadTimeoutMs);
    if (!made.ok) throw new RehearsalError(`could not create the database ${deps.database} on the scratch server ${deps.scratch.describe}: ${made.error}`);
    created = true;
    say(`Loading the schema (${report.dumpBytes} bytes)`);
    report.loadErrors = (await deps.scratch.load(deps.database, dump, deps.loadTimeoutMs)).errors;

    const worker = await deps.scratch.open(deps.database);
    const watcher = await deps.scratch.open(deps.database);
    try {
      await worker.run(`SET statement_timeout = ${Math.max(1, Math.round(deps.statementTimeoutMs))}`, deps.statementTimeoutMs);
      let failedBefore: string | undefined;
      for (const unit of subject.units) {
        say(`Rehearsing: ${unit.title}`);
        const u = await rehearseUnit(unit, worker, watcher, deps);
        if (failedBefore && u.outcome !== 'not-rehearsed') u.note += `; rehearsed after "${failedBefore}" failed, where the production run would have stopped first`;
        if (u.outcome === 'failed') failedBefore ??= unit.title;
        report.units.push(u);
      }
    } finally {
      await worker.close().catch(() => undefined);
      await watcher.close().catch(() => undefined);
    }
    if (deps.compatibilityCheck) {
      say('Running the compatibility check against the rehearsed schema');
      report.compatibility = await deps.compatibilityCheck(deps.scratch.urlOf(deps.database));
    }
  } finally {
    if (created) {
      const dropped = await admin.run(`DROP DATABASE IF EXISTS ${quoteIdent(deps.database)}`, deps.loadTimeoutMs).catch((e: Error) => ({ ok: false, error: e.message }));
      if (!dropped.ok) report.cleanup.push(`the scratch database ${deps.database} was not dropped: ${dropped.error}`);
    }
    for (const role of report.rolesCreated) {
      const r = await admin.run(`DROP ROLE IF EXISTS ${quoteIdent(role)}`, deps.statementTimeoutMs).catch((e: Error) => ({ ok: false, error: e.message }));
      if (!r.ok) report.cleanup.push(`the role ${role} made for the rehearsal is still on the scratch server: ${r.error}`);
    }
    await admin.close().catch(() => undefined);
  }
  report.ok = report.units.every((u) => u.outcome !== 'failed') && (report.compatibility?.ok ?? true);
  report.ms = deps.now() - started;
  return report;
}

function isTransactionControl(s: SqlStatement): string | undefined {
  const t = s.node.TransactionStmt as { kind?: string } | undefined;
  return t?.kind;
}

const NO_TRANSACTION_BLOCK = '25001';

async function rehearseUnit(unit: RehearsalUnit, worker: ScratchSession, watcher: ScratchSession, deps: RehearsalDeps): Promise<UnitReport> {
  const out: UnitReport = { stepId: unit.stepId, title: unit.title, outcome: 'not-rehearsed', note: unit.note, statements: [] };
  if (unit.sql === undefined) return out;
  const parsed = await deps.parser.parse(unit.sql);
  if (!parsed.ok) {
    out.outcome = 'failed';
    out.statements.push({ text: unit.sql.slice(0, 300), line: parsed.error.line, outcome: 'failed', error: `syntax error at line ${parsed.error.line}, column ${parsed.error.column}: ${parsed.error.message}` });
    return out;
  }
  const all = parsed.statements;
  const explicit = unit.singleTransaction || all.some((s) => /^TRANS_STMT_(BEGIN|START)$/.test(isTransactionControl(s) ?? ''));
  const statements = all.filter((s) => !isTransactionControl(s));
  const observe = async (): Promise<HeldLock[] | undefined> => {
    try {
      const rows = await watcher.query(LOCKS_SQL(worker.pid), deps.statementTimeoutMs);
      return rows.map(([locktype, on, mode, granted]) => ({ locktype, on, mode, granted: granted === 't' }));
    } catch {
      return undefined;
    }
  };
  const record = (s: SqlStatement, rep: Omit<StatementReport, 'text' | 'line'>): StatementReport => {
    const r = { text: s.text.length > 300 ? `${s.text.slice(0, 300)}…` : s.text, line: s.line, ...rep };
    out.statements.push(r);
    return r;
  };
  const notRun = (from: number, why: string) => statements.slice(from).forEach((s) => record(s, { outcome: 'not-run', note: why }));
  if (explicit) {
    // One transaction, as production runs it: locks add up; a failure rolls the whole step back.
    await worker.run('BEGIN', deps.statementTimeoutMs);
    let held: HeldLock[] = [];
    for (const [i, s] of statements.entries()) {
      const r = await worker.run(s.text, deps.statementTimeoutMs);
      if (!r.ok) {
        record(s, { outcome: 'failed', error: describe(r), ms: r.ms });
        await worker.run('ROLLBACK', deps.statementTimeoutMs);
        notRun(i + 1, 'not run: an earlier statement of this transaction failed, and production rolls the whole step back');
        out.outcome = 'failed';
        return out;
      }
      const now = await observe();
      const seen = new Set(held.map(lockKey));
      record(s, { outcome: 'ok', ms: r.ms, ...(now ? { locks: now.filter((l) => !seen.has(lockKey(l))) } : { note: 'locks not observed: the second session could not read pg_locks' }) });
      if (now) held = now;
    }
    const commit = await worker.run('COMMIT', deps.statementTimeoutMs);
    if (!commit.ok) {
      out.outcome = 'failed';
      out.statements.push({ text: 'COMMIT', line: all.at(-1)?.line ?? 1, outcome: 'failed', error: describe(commit), ms: commit.ms, note: 'the transaction failed at its end (a deferred constraint?)' });
      return out;
    }
    out.outcome = 'ok';
    return out;
  }
  // psql without -1 runs each statement on its own: here each gets its own transaction, held open long enough to read its locks.
  for (const [i, s] of statements.entries()) {
    await worker.run('BEGIN', deps.statementTimeoutMs);
    let r = await worker.run(s.text, deps.statementTimeoutMs);
    let locks: HeldLock[] | undefined;
    let note: string | undefined;
    if (!r.ok && r.sqlstate === NO_TRANSACTION_BLOCK) {
      await worker.run('ROLLBACK', deps.statementTimeoutMs);
      r = await worker.run(s.text, deps.statementTimeoutMs);
      note = 'locks not observed: the statement cannot run inside a transaction block, so it ran on its own and released them as it ended';
    } else if (r.ok) {
      locks = await observe();
      if (!locks) note = 'locks not observed: the second session could not read pg_locks';
      const commit = await worker.run('COMMIT', deps.statementTimeoutMs);
      if (!commit.ok) r = { ...commit, ms: r.ms + commit.ms };
    } else {
      await worker.run('ROLLBACK', deps.statementTimeoutMs);
    }
    if (!r.ok) {
      record(s, { outcome: 'failed', error: describe(r), ms: r.ms, ...(note ? { note } : {}) });
      notRun(i + 1, 'not run: psql stops at the first error (ON_ERROR_STOP)');
      out.outcome = 'failed';
      return out;
    }
    record(s, { outcome: 'ok', ms: r.ms, ...(locks ? { locks } : {}), ...(note ? { note } : {}) });
  }
  out.outcome = 'ok';
  return out;
}

function describe(r: { error?: string; sqlstate?: string; timedOut?: boolean }): string {
  if (r.timedOut) return 'no answer within the statement timeout; the scratch session was stopped';
  return `${r.error ?? 'failed'}${r.sqlstate ? ` (SQLSTATE ${r.sqlstate})` : ''}`;
}
