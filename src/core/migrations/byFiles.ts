// Maps the files a release changed (a git diff between two refs) to the migrations it brought.
import type { Migration, MigrationGroup } from './types';

function normalize(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/**
 * The migrations whose file (or golang-migrate down file) is among `changedFiles`, in apply
 * order: groups in the order given (detectMigrations sorts them by folder), then each group's
 * own order. A Prisma migration counts when anything inside its folder changed.
 */
export function migrationsForFiles(groups: MigrationGroup[], changedFiles: string[]): Migration[] {
  const changed = new Set(changedFiles.map(normalize));
  const changedDirs = new Set<string>();
  for (const f of changed) {
    for (let i = f.lastIndexOf('/'); i > 0; i = f.lastIndexOf('/', i - 1)) changedDirs.add(f.slice(0, i));
  }
  const out: Migration[] = [];
  for (const group of groups) {
    const hits = group.migrations.filter((m) => {
      if (changed.has(m.file) || (m.downFile !== undefined && changed.has(m.downFile))) return true;
      if (m.tool !== 'prisma') return false;
      const folder = m.file.endsWith('/migration.sql') ? m.file.slice(0, -'/migration.sql'.length) : m.file;
      return changedDirs.has(folder);
    });
    out.push(...hits.sort((a, b) => a.order - b.order));
  }
  return out;
}
