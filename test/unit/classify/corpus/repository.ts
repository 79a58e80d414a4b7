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
    return { fs: memoryFs(s.files), migration: { tool: s.tool, id: 'case', name: c.name, file, order: 1, problems: [] } };
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
