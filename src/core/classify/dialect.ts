// Which database a project's migrations are written for. The tool's own configuration
// decides first (Prisma: the datasource `provider` in schema.prisma; Knex: the knexfile's
// `client`); only without one is the SQL itself looked at, and then with comments, string
// literals and quoted identifiers removed: Prisma writes a backtick into the "Warnings"
// comment of every PostgreSQL migration, which once sent those files to the MySQL path.

import type { Migration } from '../migrations/types';
import type { FileSystemPort } from '../ports';
import { lineColumnAt } from './textPosition';

/** The SQL with comments (-- and nested /* *\/), string literals, dollar-quoted bodies and "identifiers" blanked. */
export function sqlCodeOnly(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      out += ' ';
    } else if (c === "'" || c === '"') {
      // E'…' strings take backslash escapes; the others only doubled quotes.
      const backslash = c === "'" && /[eE]$/.test(sql.slice(Math.max(0, i - 1), i));
      i++;
      while (i < sql.length) {
        if (backslash && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
      out += c === "'" ? "''" : '""';
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))![0];
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? sql.length : close + tag.length;
      out += "''";
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const MYSQL_MARKS = /`|ENGINE|AUTO_INCREMENT/i;

/** Backticks, ENGINE= and AUTO_INCREMENT in the code itself are MySQL; PostgreSQL rejects all three. */
export function looksLikeMySql(sql: string): boolean {
  // Most files hold none of the three anywhere: only a file that does is worth stripping of comments and strings.
  if (!MYSQL_MARKS.test(sql)) return false;
  const code = sqlCodeOnly(sql);
  return /`/.test(code) || /\bENGINE\s*=/i.test(code) || /\bAUTO_INCREMENT\b/i.test(code);
}

/** Normalised dialect names: the rules parse `postgresql` (and CockroachDB, which speaks it). */
export function isPostgres(dialect: string): boolean {
  return /^(postgres|postgresql|pg|cockroachdb|redshift)$/i.test(dialect);
}

export function isMySql(dialect: string): boolean {
  return /mysql|maria/i.test(dialect);
}

const PRISMA_PROVIDERS = ['postgresql', 'postgres', 'mysql', 'sqlite', 'sqlserver', 'cockroachdb', 'mongodb'];

export interface DialectProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface DialectInfo {
  dialect?: string;
  /** Where it was read, for the reason text ("prisma/schema.prisma"). */
  from?: string;
  problem?: DialectProblem;
}

/** The datasource provider of a schema.prisma, with its position; an unknown provider is a located problem. */
export function readPrismaProvider(text: string, file: string): DialectInfo {
  // `//` comments are blanked in place so positions stay right and a commented-out provider is not read.
  const code = text.replace(/\/\/[^\n]*/g, (m) => ' '.repeat(m.length));
  const block = /datasource\s+\w+\s*\{([^}]*)\}/.exec(code);
  if (!block) return {};
  const p = /provider\s*=\s*("([^"]*)"|[^\s}]+)/.exec(block[1]);
  if (!p) return {};
  const at = lineColumnAt(text, block.index + block[0].indexOf(block[1]) + p.index + p[0].indexOf(p[1]));
  const value = p[2];
  if (value === undefined || !PRISMA_PROVIDERS.includes(value)) {
    return {
      from: file,
      problem: {
        file,
        ...at,
        message: `${file}:${at.line}:${at.column}: datasource provider ${p[1]} is not one Prisma knows (${PRISMA_PROVIDERS.join(', ')}); the database of these migrations is unknown, so they are judged from their SQL alone. Fix the provider.`,
      },
    };
  }
  return { dialect: value === 'postgres' ? 'postgresql' : value, from: file };
}

const KNEX_CLIENTS: Record<string, string> = {
  pg: 'postgresql', postgres: 'postgresql', postgresql: 'postgresql', pgnative: 'postgresql', cockroachdb: 'cockroachdb', redshift: 'redshift',
  mysql: 'mysql', mysql2: 'mysql', sqlite3: 'sqlite', 'better-sqlite3': 'sqlite', mssql: 'sqlserver', oracledb: 'oracle',
};

/** The knexfile's client; with several environments, the production one, else the one they share. */
export function readKnexClient(text: string, file: string): DialectInfo {
  const code = text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m) => ' '.repeat(m.length));
  const prod = /\bproduction\s*:\s*\{[^{}]*?\bclient\s*:\s*['"`]([\w-]+)['"`]/.exec(code);
  const all = [...code.matchAll(/\bclient\s*:\s*['"`]([\w-]+)['"`]/g)].map((m) => m[1]);
  const chosen = prod?.[1] ?? (new Set(all).size === 1 ? all[0] : undefined);
  if (!chosen) return {};
  return { dialect: KNEX_CLIENTS[chosen] ?? chosen, from: file };
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/** The folder itself and every parent up to the repository root, nearest first. */
function upwards(dir: string): string[] {
  const out: string[] = [];
  let d = dir;
  for (let i = 0; i < 32; i++) {
    out.push(d);
    if (!d) break;
    d = dirname(d);
  }
  return out;
}

async function readText(fs: FileSystemPort, path: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await fs.readFile(path));
  } catch {
    return undefined;
  }
}

async function prismaFromFolders(fs: FileSystemPort, migrationsDir: string): Promise<DialectInfo> {
  const pkg = await readText(fs, 'package.json');
  let configured: string | undefined;
  try {
    configured = pkg ? (JSON.parse(pkg) as { prisma?: { schema?: string } }).prisma?.schema : undefined;
  } catch {
    configured = undefined;
  }
  const candidates = configured ? [configured.replace(/^\.\//, '')] : [];
  for (const d of upwards(dirname(migrationsDir))) candidates.push(join(d, 'schema.prisma'), join(d, 'prisma/schema.prisma'));
  for (const file of candidates) {
    const text = (await fs.exists(file).catch(() => false)) ? await readText(fs, file) : undefined;
    const info = text === undefined ? {} : readPrismaProvider(text, file);
    if (info.dialect || info.problem) return info;
  }
  // Prisma writes the provider into migration_lock.toml too, when the schema is elsewhere.
  const lockFile = join(migrationsDir, 'migration_lock.toml');
  const lock = await readText(fs, lockFile);
  const m = lock === undefined ? null : /^\s*provider\s*=\s*"([^"]*)"/m.exec(lock);
  if (m && lock !== undefined) {
    const locked = m[1];
    if (PRISMA_PROVIDERS.includes(locked)) return { dialect: locked === 'postgres' ? 'postgresql' : locked, from: lockFile };
    const at = lineColumnAt(lock, m.index + m[0].indexOf('"'));
    return {
      from: lockFile,
      problem: { file: lockFile, ...at, message: `${lockFile}:${at.line}:${at.column}: provider "${locked}" is not one Prisma knows (${PRISMA_PROVIDERS.join(', ')}); the database of these migrations is unknown, so they are judged from their SQL alone. Fix the provider (Prisma rewrites this file from schema.prisma).` },
    };
  }
  // Prisma's multi-file schema: the migrations folder sits inside the folder of .prisma files.
  for (const d of upwards(dirname(migrationsDir)).slice(0, 3)) {
    const entries = await fs.readDir(d).catch(() => []);
    for (const e of entries.filter((x) => !x.isDirectory && x.name.endsWith('.prisma'))) {
      const file = join(d, e.name);
      const text = await readText(fs, file);
      const info = text === undefined ? {} : readPrismaProvider(text, file);
      if (info.dialect || info.problem) return info;
    }
  }
  return {};
}

async function knexFromFolders(fs: FileSystemPort, migrationsDir: string): Promise<DialectInfo> {
  for (const d of upwards(dirname(migrationsDir))) {
    for (const ext of ['js', 'ts', 'cjs', 'mjs']) {
      const file = join(d, `knexfile.${ext}`);
      if (!(await fs.exists(file).catch(() => false))) continue;
      const text = await readText(fs, file);
      const info = text === undefined ? {} : readKnexClient(text, file);
      if (info.dialect) return info;
    }
  }
  return {};
}

/** The folder holding a migration's tool folder (prisma/migrations for prisma/migrations/2024_x/migration.sql). */
function migrationsDirOf(m: Migration): string {
  const file = m.file.replace(/\/migration\.sql$/, '');
  return dirname(file);
}

/** The same file system with repository-relative paths resolved under `root`. */
function underRoot(fs: FileSystemPort, root: string): FileSystemPort {
  const r = root.replace(/\/$/, '');
  const at = (p: string) => (r === '.' || r === '' ? p || '.' : p ? `${r}/${p}` : r);
  return { readFile: (p) => fs.readFile(at(p)), readDir: (p) => fs.readDir(at(p)), exists: (p) => fs.exists(at(p)) };
}

// One lookup per file system and folder: classifying a whole folder reads schema.prisma once.
const cache = new WeakMap<FileSystemPort, Map<string, Promise<DialectInfo>>>();

/** The database a migration is written for, from its tool's configuration; `{}` when the configuration does not say. */
export function configuredDialect(fs: FileSystemPort, root: string, migration: Migration): Promise<DialectInfo> {
  if (migration.tool === 'node-pg-migrate') return Promise.resolve({ dialect: 'postgresql', from: 'node-pg-migrate (PostgreSQL only)' });
  if (migration.tool !== 'prisma' && migration.tool !== 'knex') return Promise.resolve({});
  const dir = migrationsDirOf(migration);
  let perFs = cache.get(fs);
  if (!perFs) cache.set(fs, (perFs = new Map()));
  const key = `${migration.tool}:${root}:${dir}`;
  let found = perFs.get(key);
  if (!found) {
    const rooted = underRoot(fs, root);
    perFs.set(key, (found = migration.tool === 'prisma' ? prismaFromFolders(rooted, dir) : knexFromFolders(rooted, dir)));
  }
  return found;
}
