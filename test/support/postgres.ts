// A real, throw-away PostgreSQL 15 server for tests (see TESTING.md): Debian's binaries,
// run as the `postgres` user (PostgreSQL refuses root) on a data folder that user owns,
// listening on 127.0.0.1 and a free high port, socket inside the folder.

import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface TestPostgres {
  host: string;
  port: number;
  /** postgresql://postgres@127.0.0.1:port/<db> */
  connString(db?: string): string;
  /** The psql command line (for configs such as `migrations.sql`) that reads SQL on stdin. */
  psqlCommand(db?: string): string;
  /** Runs SQL; throws with psql's message when it fails. Output: unaligned, tuples only, tab-separated. */
  psql(sql: string, db?: string): Promise<string>;
  /** Runs SQL and returns the outcome without throwing (for statements expected to fail). */
  tryPsql(sql: string, db?: string, options?: { stopOnError?: boolean }): Promise<PsqlResult>;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}


function run(cmd: string, args: string[], input?: string, timeoutMs = 30_000): Promise<PsqlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  for (const bin of ['initdb', 'pg_ctl']) {
    if (!existsSync(join(PG_BIN, bin))) {
      throw new Error(`${join(PG_BIN, bin)} is missing: run scripts/setup.sh (it installs Debian's postgresql).`);
    }
  }
  if (!existsSync('/usr/bin/psql')) throw new Error('psql is missing: run scripts/setup.sh.');
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  const dir = mkdtempSync(join(tmpdir(), 'rp-pg-'));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = (args: string[]) => run('runuser', ['-u', 'postgres', '--', ...args], undefined, 60_000);
  const init = await asPostgres([join(PG_BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (init.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
  const start = await asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', opts, 'start']);
  if (start.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${start.stderr || start.stdout}`);
  }
  const host = '127.0.0.1';
  const psqlArgs = (db: string, stop: boolean) => ['-X', '-A', '-t', '-F', '\t', '-v', `ON_ERROR_STOP=${stop ? 1 : 0}`, '-q', '-h', host, '-p', String(port), '-U', 'postgres', '-d', db, '-f', '-'];
  const tryPsql = (sql: string, db = 'postgres', options?: { stopOnError?: boolean }) =>
    run('psql', psqlArgs(db, options?.stopOnError ?? true), sql);
  let stopped = false;
  return {
    host,
    port,
    connString: (db = 'postgres') => `postgresql://postgres@${host}:${port}/${db}`,
    psqlCommand: (db = 'postgres') => `psql -X -q -v ON_ERROR_STOP=1 -h ${host} -p ${port} -U postgres -d ${db}`,
    tryPsql,
    async psql(sql, db) {
      const r = await tryPsql(sql, db);
      if (r.code !== 0) throw new Error(`psql failed (${r.code}): ${r.stderr.trim()}`);
      return r.stdout;
    },
    async createDatabase(name) {
      const r = await tryPsql(`CREATE DATABASE "${name}";`);
      if (r.code !== 0) throw new Error(`CREATE DATABASE ${name}: ${r.stderr.trim()}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
