// Rollback: Rehearse Database Steps — the plan's mitigations and down steps run first on a
// scratch copy of the environment's schema, statement by statement, with the locks each one
// took. The ports the engine needs (implemented in src/infra/sql/psqlScratch.ts) and what it
// reports.

/** One statement run on the scratch database. */
export interface StatementOutcome {
  ok: boolean;
  /** PostgreSQL's message, when it failed. */
  error?: string;
  sqlstate?: string;
  /** Wall time from sending the statement to its answer, as this machine measured it. */
  ms: number;
  /** No answer within the timeout: the session was killed. */
  timedOut?: boolean;
}

/** A session on the scratch database that keeps its transaction open between calls. */
export interface ScratchSession {
  /** The backend's process id, which pg_locks names. */
  readonly pid: number;
  run(sql: string, timeoutMs: number): Promise<StatementOutcome>;
  /** Rows of a query as text columns; throws with PostgreSQL's message when it fails. */
  query(sql: string, timeoutMs: number): Promise<string[][]>;
  close(): Promise<void>;
}

/** A PostgreSQL server of the user's own (migrations.scratch), never production. */
export interface ScratchServer {
  /** For messages: the URL without its password. */
  readonly describe: string;
  /** A session on `database` (default: the URL's maintenance database); throws with the client's own message when the server cannot be reached. */
  open(database?: string): Promise<ScratchSession>;
  /** Feeds SQL (a schema dump) to `database` in one go, going on after errors; returns each error as the client printed it. */
  load(database: string, sql: string, timeoutMs: number): Promise<{ errors: string[] }>;
  /** The connection URL of `database` on this server (for the compatibility check). */
  urlOf(database: string): string;
}

export class ScratchUnreachableError extends Error {
  constructor(readonly where: string, readonly reason: string) {
    super(`The scratch database ${where} (migrations.scratch in rollback.yml) cannot be reached: ${reason}`);
    this.name = 'ScratchUnreachableError';
  }
}

/** One heavyweight lock held by the rehearsing session, as pg_locks shows it. */
export interface HeldLock {
  locktype: string;
  /** The relation (schema.name) or object it is on; empty for others. */
  on: string;
  mode: string;
  granted: boolean;
}

export interface StatementReport {
  /** The statement as written (first 300 characters). */
  text: string;
  /** 1-based line in the step's SQL. */
  line: number;
  outcome: 'ok' | 'failed' | 'not-run';
  error?: string;
  ms?: number;
  /** Locks this statement added to the ones its transaction already held; undefined when they could not be observed. */
  locks?: HeldLock[];
  /** Why the locks were not observed, or why it did not run. */
  note?: string;
}

/** One plan step as rehearsed. */
export interface UnitReport {
  stepId: string;
  title: string;
  outcome: 'ok' | 'failed' | 'not-rehearsed';
  /** Where the SQL came from, or why it was not rehearsed. */
  note: string;
  statements: StatementReport[];
}

export interface RehearsalReport {
  /** True when every rehearsed step ran without an error (and the compatibility check passed, when configured). */
  ok: boolean;
  environment: string;
  planId: string;
  scratch: string;
  database: string;
  dumpBytes: number;
  /** Errors loading the dump (an extension the scratch server lacks …): the copy may differ from production there. */
  loadErrors: string[];
  /** Roles the schema names that the scratch server lacked: created NOLOGIN for the rehearsal, dropped afterwards. */
  rolesCreated: string[];
  units: UnitReport[];
  compatibility?: { command: string; ok: boolean; detail: string; output: string };
  /** How the locks were observed and what that cannot see. */
  method: string;
  /** Problems cleaning up (the scratch database or a role left behind). */
  cleanup: string[];
  startedAt: string;
  ms: number;
}
