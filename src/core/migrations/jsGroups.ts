// Knex and node-pg-migrate folders. Knex applies files in plain file-name order (so an
// unpadded `10_x.js` runs before `2_y.js`); node-pg-migrate orders by the numeric prefix.
import type { Migration, MigrationGroup } from './types';
import { PGM_SQL_DOWN, type ClassifiedFile } from './fileKinds';
import type { JsTool } from './jsMigration';
import { codeUnitCompare, compareByNumericPrefix, numericPrefix, stem, withoutVersionPrefix } from './text';

function jsProblems(f: ClassifiedFile, folderTool: JsTool): string[] {
  const problems = f.readProblem ? [f.readProblem] : [];
  const js = f.js;
  if (!js) return problems;
  if (js.syntaxError) {
    const e = js.syntaxError;
    problems.push(`does not parse: ${e.message} at line ${e.line}, column ${e.column}`);
    return problems;
  }
  if (js.tool && js.tool !== folderTool) {
    problems.push(`looks like a ${js.tool} migration (${js.evidence}), but this folder holds ${folderTool} migrations`);
  }
  if (!js.hasUp) problems.push('no exported `up` function');
  if (folderTool === 'knex' && !js.hasDown) problems.push('no exported `down` function: knex refuses a migration without one');
  if (folderTool === 'node-pg-migrate' && js.downIsFalse) problems.push('`down` is false: node-pg-migrate cannot undo it');
  return problems;
}

export function buildKnexGroup(dir: string, files: ClassifiedFile[], groupProblems: string[] = []): MigrationGroup {
  const migrations: Migration[] = files
    .filter((f) => f.ext === 'js')
    .sort((a, b) => codeUnitCompare(a.name, b.name))
    .map((f, order) => ({
      tool: 'knex',
      // knex_migrations records the file name, extension included.
      id: f.name,
      name: withoutVersionPrefix(stem(f.name)),
      file: f.path,
      order,
      problems: jsProblems(f, 'knex'),
    }));
  return { tool: 'knex', dir, migrations, problems: groupProblems };
}

export function buildNodePgMigrateGroup(dir: string, files: ClassifiedFile[], groupProblems: string[] = []): MigrationGroup {
  const migrations: Migration[] = files
    .filter((f) => f.ext === 'js' || f.ext === 'sql')
    .sort((a, b) => compareByNumericPrefix(a.name, b.name))
    .map((f, order) => {
      const problems = f.ext === 'js' ? jsProblems(f, 'node-pg-migrate') : f.readProblem ? [f.readProblem] : [];
      if (f.ext === 'sql' && !f.unread && !PGM_SQL_DOWN.test(f.text)) problems.push('no `-- Down Migration` section: node-pg-migrate cannot undo it');
      if (numericPrefix(f.name) === undefined) problems.push('no numeric or timestamp prefix: its place in the order is a guess');
      return {
        tool: 'node-pg-migrate' as const,
        // pgmigrations records the name without its extension.
        id: stem(f.name),
        name: withoutVersionPrefix(stem(f.name)),
        file: f.path,
        order,
        problems,
      };
    });
  return { tool: 'node-pg-migrate', dir, migrations, problems: groupProblems };
}
