// A corpus case as a user's repository holds it, in memory: the earlier migration that made
// the schema, the case's migration (and down file), the tool's configuration. Shared by the
// real-PostgreSQL test and bench/classify.mjs.

import type { Migration } from '../../../../src/core/migrations/types';
import type { FileSystemPort } from '../../../../src/core/ports';
import { BASE, type CorpusCase } from './schema';

export function memoryFs(files: Record<string, string>): FileSystemPort {
  const enc = new TextEncoder();
  const dirs = new Set<string>(['.', '']);
  for (const p of Object.keys(files)) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const norm = (p: string) => p.replace(/^\.\//, '').replace(/\/$/, '');
  return {
    async readFile(p) {
      const k = norm(p);
      if (!(k in files)) throw new Error(`ENOENT: ${p}`);
      return enc.encode(files[k]);
    },
    async readDir(p) {
      const d = norm(p) === '.' ? '' : norm(p);
      if (!dirs.has(d)) throw new Error(`ENOENT: ${p}`);
      const names = new Map<string, boolean>();
      for (const f of [...Object.keys(files), ...dirs]) {
        if (!f || f === '.' || (d && !f.startsWith(`${d}/`))) continue;
        const rest = d ? f.slice(d.length + 1) : f;
        if (!rest) continue;
        const [first, ...more] = rest.split('/');
        names.set(first, (names.get(first) ?? false) || more.length > 0 || dirs.has(d ? `${d}/${first}` : first));
      }
      return [...names].map(([name, isDirectory]) => ({ name, isDirectory }));
    },
    async exists(p) {
      const k = norm(p);
      return k in files || dirs.has(k);
    },
  };
}

/** The repository the classifier reads: the earlier migrations (the schema before) and this one. */
export function repository(c: CorpusCase): { fs: FileSystemPort; migration: Migration } {
  if (c.source) {
    const s = c.source;
    const file = s.tool === 'prisma' ? s.file.replace(/\/migration\.sql$/, '') : s.file;
    const id = s.tool === 'alembic' ? (/^revision\s*(?::[^=]*)?=\s*'([^']+)'/m.exec(s.files[s.file])?.[1] ?? 'case') : 'case';
    const parents = s.tool === 'alembic' ? [/^down_revision\s*(?::[^=]*)?=\s*'([^']+)'/m.exec(s.files[s.file])?.[1] ?? 'c0'] : undefined;
    return { fs: memoryFs(withSchemaBefore(s, c.setupOutsideMigrations ? '' : c.setup)), migration: { tool: s.tool, id, name: c.name, file, order: 1, problems: [], ...(parents ? { parents } : {}) } };
  }
  const files: Record<string, string> = {
    'db/000001_init.up.sql': `${BASE}\n${c.setup ?? ''}`,
    'db/000001_init.down.sql': 'DROP SCHEMA public CASCADE;',
    'db/000002_case.up.sql': c.migration,
  };
  if (c.down !== undefined) files['db/000002_case.down.sql'] = c.down;
  const migration: Migration = { tool: 'golang-migrate', id: '2', name: c.name, file: 'db/000002_case.up.sql', order: 1, problems: [] };
  if (c.down !== undefined) migration.downFile = 'db/000002_case.down.sql';
  return { fs: memoryFs(files), migration };
}

const inTemplate = (sql: string): string => sql.replace(/[\\`$]/g, (ch) => `\\${ch}`);

/**
 * The case's files with the schema before in the earlier migrations, as a real repository holds
 * it: the case's setup is appended to the migration that made BASE, or, for a tool whose
 * folder has none, one earlier migration in the tool's own form makes BASE and the setup. The
 * classifier reads that history (history.ts) as it reads a user's folder.
 */
function withSchemaBefore(s: NonNullable<CorpusCase['source']>, setup = ''): Record<string, string> {
  const files = { ...s.files };
  const extra = setup.trim() ? `\n${setup}` : '';
  for (const [path, text] of Object.entries(files)) {
    if (path === s.file) continue;
    if (text.includes(BASE)) {
      files[path] = text.replace(BASE, () => `${BASE}${extra}`);
      return files;
    }
    if (text.includes(inTemplate(BASE))) {
      files[path] = text.replace(inTemplate(BASE), () => inTemplate(`${BASE}${extra}`));
      return files;
    }
  }
  if (s.tool !== 'knex' && s.tool !== 'node-pg-migrate') return files;
  const dir = s.file.slice(0, s.file.lastIndexOf('/'));
  const stamp = /^(\d+)_/.exec(s.file.slice(dir.length + 1))?.[1] ?? '1';
  const before = (BigInt(stamp) - 1n).toString().padStart(stamp.length, '0');
  const sql = inTemplate(`${BASE}${extra}`);
  files[`${dir}/${before}_init.js`] = s.tool === 'knex' ? `exports.up = (knex) => knex.raw(\`${sql}\`);\nexports.down = () => {};\n` : `exports.up = (pgm) => {\n  pgm.sql(\`${sql}\`);\n};\n\nexports.down = () => {};\n`;
  return files;
}
