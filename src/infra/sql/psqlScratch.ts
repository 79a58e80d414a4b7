// The scratch server of a rehearsal, through this machine's psql: no driver dependency, the
// same client production's `migrations.sql` uses. A session is one long-running psql whose
// transaction stays open between statements (so a second session can read its locks); each
// statement is followed by \echo lines carrying psql's own ERROR / SQLSTATE /
// LAST_ERROR_MESSAGE variables and an end marker, which is how an answer is told apart.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ScratchUnreachableError, type ScratchServer, type ScratchSession, type StatementOutcome } from '../../core/rehearsal/types';

const KEEP_STDERR = 64 * 1024;

/** The URL with its password hidden, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

interface Pending {
  marker: string;
  lines: string[];
  done: (lines: string[] | undefined, timedOut?: boolean) => void;
}

class PsqlSession implements ScratchSession {
  private buffer = '';
  private stderr = '';
  private readonly queue: Pending[] = [];
  private exited = false;
  pid = 0;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly where: string,
  ) {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => this.onStdout(d));
    child.stderr.on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-KEEP_STDERR)));
    child.stdin.on('error', () => undefined);
    child.on('close', () => {
      this.exited = true;
      for (const p of this.queue.splice(0)) p.done(undefined);
    });
  }

  static async open(psql: string, url: string, where: string, timeoutMs: number): Promise<PsqlSession> {
    const child = spawn(psql, [url, '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=0', '-v', 'VERBOSITY=default', '-P', 'pager=off'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PGAPPNAME: 'rollback-pilot-rehearsal', PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(timeoutMs / 1000))) },
    });
    const session = new PsqlSession(child, where);
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (e) => resolve(e));
    });
    if (spawned) throw new ScratchUnreachableError(where, `psql could not be started on this machine (${spawned.message}); install PostgreSQL's client (Debian: postgresql-client)`);
    const rows = await session.exchange('SELECT pg_backend_pid()', timeoutMs);
    const pid = Number(rows?.rows[0]?.[0]);
    if (!rows || rows.error || !Number.isInteger(pid) || pid <= 0) {
      session.kill();
      const said = (rows?.error ?? session.stderr.trim()) || 'psql ended without an answer';
      throw new ScratchUnreachableError(where, said.split('\n').filter(Boolean).slice(-2).join(' '));
    }
    session.pid = pid;
    return session;
  }

  private onStdout(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const head = this.queue[0];
      if (!head) continue;
      if (line === `${head.marker}end`) {
        this.queue.shift();
        head.done(head.lines);
      } else head.lines.push(line);
    }
  }

  /** Sends one statement and reads psql's answer: the rows, and its error variables. */
  private exchange(sql: string, timeoutMs: number): Promise<{ rows: string[][]; error?: string; sqlstate?: string; timedOut?: boolean } | undefined> {
    if (this.exited) return Promise.resolve(undefined);
    sql = sql.replace(/;\s*$/, '');
    const marker = `__rp_${randomBytes(6).toString('hex')}__`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // A statement that outlives its timeout leaves the session unusable: it is killed, and says so.
        this.kill();
        resolve({ rows: [], timedOut: true });
      }, timeoutMs + 5000);
      this.queue.push({
        marker,
        lines: [],
        done: (lines) => {
          clearTimeout(timer);
          if (!lines) return resolve(undefined);
          const status = lines.findIndex((l) => l.startsWith(`${marker} `));
          const [, failed, sqlstate] = (lines[status] ?? '').split(' ');
          const message = lines.slice(status + 1).join('\n').replace(new RegExp(`^${marker}msg ?`), '');
          const rows = lines.slice(0, Math.max(0, status)).filter((l) => l.length > 0).map((l) => l.split('\t'));
          resolve(failed === 'true' ? { rows, error: message.trim() || 'failed', sqlstate } : { rows });
        },
      });
      // The statement on its own lines, then a lone ";" (a trailing -- comment cannot swallow it), then the answer markers.
      this.child.stdin.write(`${sql}\n;\n\\echo ${marker} :ERROR :SQLSTATE\n\\echo ${marker}msg :LAST_ERROR_MESSAGE\n\\echo ${marker}end\n`);
    });
  }

  async run(sql: string, timeoutMs: number): Promise<StatementOutcome> {
    const started = Date.now();
    const r = await this.exchange(sql, timeoutMs);
    const ms = Date.now() - started;
    if (!r) return { ok: false, ms, error: `the scratch session on ${this.where} ended: ${this.stderr.trim().split('\n').pop() ?? 'no message'}` };
    if (r.timedOut) return { ok: false, ms, timedOut: true, error: `no answer within ${Math.round(timeoutMs / 1000)} s` };
    return r.error !== undefined ? { ok: false, ms, error: r.error, ...(r.sqlstate ? { sqlstate: r.sqlstate } : {}) } : { ok: true, ms };
  }

  async query(sql: string, timeoutMs: number): Promise<string[][]> {
    const r = await this.exchange(sql, timeoutMs);
    if (!r) throw new Error(`the scratch session on ${this.where} ended: ${this.stderr.trim().split('\n').pop() ?? 'no message'}`);
    if (r.timedOut) throw new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    if (r.error !== undefined) throw new Error(r.error);
    return r.rows;
  }

  private kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end('\\q\n');
    const timer = setTimeout(() => this.kill(), 5000);
    await closed;
    clearTimeout(timer);
  }
}

/** A scratch server reached with this machine's psql at `url` (its maintenance database). */
export class PsqlScratchServer implements ScratchServer {
  readonly describe: string;

  constructor(
    private readonly url: string,
    private readonly options: { psql?: string; connectTimeoutMs?: number } = {},
  ) {
    this.describe = describeUrl(url);
  }

  open(database?: string): Promise<ScratchSession> {
    const url = database ? databaseUrl(this.url, database) : this.url;
    return PsqlSession.open(this.options.psql ?? 'psql', url, this.describe, this.options.connectTimeoutMs ?? 15_000);
  }

  urlOf(database: string): string {
    return databaseUrl(this.url, database);
  }

  load(database: string, sql: string, timeoutMs: number): Promise<{ errors: string[] }> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.psql ?? 'psql', [databaseUrl(this.url, database), '-X', '-q', '-v', 'ON_ERROR_STOP=0', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, PGAPPNAME: 'rollback-pilot-rehearsal' } });
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        if (stderr.length < 4 * KEEP_STDERR) stderr += d;
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new ScratchUnreachableError(this.describe, `psql could not be started on this machine (${e.message})`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const errors = stderr.split('\n').filter((l) => /\b(ERROR|FATAL):/.test(l)).map((l) => l.replace(/^psql:<stdin>:(\d+):\s*/, 'line $1 of the dump: '));
        if (signal) errors.push(`loading the schema was stopped after ${Math.round(timeoutMs / 1000)} s`);
        else if (code !== 0 && errors.length === 0) errors.push(`psql exited ${code}: ${stderr.trim().split('\n').pop() ?? ''}`);
        resolve({ errors });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(sql);
    });
  }
}
