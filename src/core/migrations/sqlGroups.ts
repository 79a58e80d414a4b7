// Prisma, golang-migrate, goose and plain-SQL folders: each ordered by the rule its tool applies.
import type { MigrationTool } from '../config/types';
import type { Migration, MigrationGroup } from './types';
import { GOLANG_MIGRATE_NAME, GOOSE_DOWN, GOOSE_UP, type ClassifiedFile } from './fileKinds';
import { joinPath, type FolderListing } from './folder';
import { codeUnitCompare, compareByNumericPrefix, compareDigits, naturalCompare, numericPrefix, stem, withoutVersionPrefix } from './text';

function baseProblems(f: { readProblem?: string }): string[] {
  return f.readProblem ? [f.readProblem] : [];
}

function finish(tool: MigrationTool, dir: string, migrations: Migration[], problems: string[] = []): MigrationGroup {
  migrations.forEach((m, i) => (m.order = i));
  return { tool, dir, migrations, problems };
}

/** Versioned tools refuse two migrations with one version; say so on both. */
function flagDuplicateIds(migrations: Migration[], what: string): void {
  const byId = new Map<string, Migration[]>();
  for (const m of migrations) byId.set(m.id, [...(byId.get(m.id) ?? []), m]);
  for (const [id, list] of byId) {
    if (list.length < 2) continue;
    for (const m of list) {
      const others = list.filter((o) => o !== m).map((o) => o.file).join(', ');
      m.problems.push(`${what} ${id} is also used by ${others}`);
    }
  }
}

export function buildPrismaGroup(listing: FolderListing): MigrationGroup {
  const migrations: Migration[] = listing.prismaFolders.map((folder) => ({
    tool: 'prisma',
    id: folder.name,
    name: withoutVersionPrefix(folder.name),
    file: folder.migration!.path,
    order: 0,
    problems: baseProblems(folder.migration!),
  }));
  // Prisma would stop on a migration folder that lost its SQL; other folders are not its business.
  for (const name of listing.otherSubdirs.filter((n) => /^\d{8,}_/.test(n))) {
    migrations.push({
      tool: 'prisma',
      id: name,
      name: withoutVersionPrefix(name),
      file: joinPath(listing.dir, name),
      order: 0,
      problems: [`no migration.sql in ${joinPath(listing.dir, name)}`],
    });
  }
  migrations.sort((a, b) => codeUnitCompare(a.id, b.id));
  return finish('prisma', listing.dir, migrations);
}

export function buildGolangMigrateGroup(dir: string, files: ClassifiedFile[]): MigrationGroup {
  const versions = new Map<string, { ups: ClassifiedFile[]; downs: ClassifiedFile[] }>();
  const strays: Migration[] = [];
  for (const f of files.filter((x) => x.ext === 'sql')) {
    const m = GOLANG_MIGRATE_NAME.exec(f.name);
    if (!m) {
      strays.push({
        tool: 'golang-migrate',
        id: stem(f.name),
        name: stem(f.name),
        file: f.path,
        order: 0,
        problems: [...baseProblems(f), 'golang-migrate ignores this file: its name is not <version>_<title>.up.sql or .down.sql'],
      });
      continue;
    }
    const version = m[1].replace(/^0+(?=\d)/, '');
    const entry = versions.get(version) ?? { ups: [], downs: [] };
    (m[3] === 'up' ? entry.ups : entry.downs).push(f);
    versions.set(version, entry);
  }
  const migrations: Migration[] = [];
  for (const version of [...versions.keys()].sort(compareDigits)) {
    const { ups, downs } = versions.get(version)!;
    ups.sort((a, b) => codeUnitCompare(a.name, b.name));
    downs.sort((a, b) => codeUnitCompare(a.name, b.name));
    const main = ups[0] ?? downs[0];
    const title = GOLANG_MIGRATE_NAME.exec(main.name)![2];
    const problems = [...baseProblems(main), ...(ups[0] && downs[0] ? baseProblems(downs[0]) : [])];
    if (!ups[0]) problems.push(`down file without an up file (${version}_${title}.up.sql)`);
    if (!downs[0]) problems.push(`no down file (${version}_${title}.down.sql): golang-migrate cannot undo it`);
    if (ups.length > 1) problems.push(`version ${version} has ${ups.length} up files: ${ups.map((u) => u.name).join(', ')}`);
    if (downs.length > 1) problems.push(`version ${version} has ${downs.length} down files: ${downs.map((d) => d.name).join(', ')}`);
    migrations.push({
      tool: 'golang-migrate',
      id: version,
      name: title,
      file: main.path,
      ...(ups[0] && downs[0] ? { downFile: downs[0].path } : {}),
      order: 0,
      problems,
    });
  }
  strays.sort((a, b) => naturalCompare(a.file, b.file));
  return finish('golang-migrate', dir, [...migrations, ...strays]);
}

const GOOSE_GO_NIL_DOWN = /\bgoose\.Add\w*Migration\w*\(\s*(?:"[^"]*"\s*,\s*)?[\w.]+\s*,\s*nil\s*\)/;

export function buildGooseGroup(dir: string, files: ClassifiedFile[]): MigrationGroup {
  const members = files.filter((f) => f.ext === 'sql' || (f.ext === 'go' && f.vote === 'goose'));
  const migrations: Migration[] = members.map((f) => {
    const problems = baseProblems(f);
    const version = numericPrefix(f.name);
    if (version === undefined) problems.push('no numeric version prefix: goose will refuse this file name');
    if (f.unread) {
      // Shallow detection: the annotations are content, checked by the full pass that follows.
    } else if (f.ext === 'sql') {
      if (!GOOSE_UP.test(f.text)) problems.push('no `-- +goose Up` annotation: goose will refuse this file');
      else if (!GOOSE_DOWN.test(f.text)) problems.push('no `-- +goose Down` section: goose cannot undo it');
    } else if (GOOSE_GO_NIL_DOWN.test(f.text)) {
      problems.push('registers no down function (nil): goose cannot undo it');
    }
    return {
      tool: 'goose',
      id: version?.replace(/^0+(?=\d)/, '') ?? stem(f.name),
      name: withoutVersionPrefix(stem(f.name)),
      file: f.path,
      order: 0,
      problems,
    };
  });
  migrations.sort((a, b) => compareByNumericPrefix(fileName(a.file), fileName(b.file)));
  flagDuplicateIds(migrations.filter((m) => /^\d+$/.test(m.id)), 'version');
  return finish('goose', dir, migrations);
}

export function buildPlainSqlGroup(dir: string, files: ClassifiedFile[]): MigrationGroup {
  const migrations: Migration[] = files
    .filter((f) => f.ext === 'sql')
    .sort((a, b) => naturalCompare(a.name, b.name))
    .map((f) => ({
      tool: 'sql',
      id: stem(f.name),
      name: withoutVersionPrefix(stem(f.name)),
      file: f.path,
      order: 0,
      problems: baseProblems(f),
    }));
  return finish('sql', dir, migrations);
}

export function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
