// Analyze Migration on a file the detector did not list (a loose .sql file, a migration in a
// folder rollback.yml does not point at): which tool it belongs to is read from the file the
// same way detection reads it, and a file that is no migration at all (a README, a config
// file) is refused with the reason, instead of being classified as a guess. A Markdown file
// used to be analysed as a "knex migration", leaving a bogus warning in Problems.
import * as path from 'node:path';
import { CANDIDATE_FILE } from './folder';
import { classifyFile } from './fileKinds';
import type { Migration } from './types';

export type AdHocMigration = { migration: Migration } | { notAMigration: string };

const ALEMBIC_FUNCTIONS = /^\s*def\s+(upgrade|downgrade)\s*\(/m;

/** The migration `rel` (repo-relative, forward slashes) is, read from its text; or why it is none. */
export function adHocMigration(rel: string, text: string): AdHocMigration {
  const name = path.posix.basename(rel);
  const none = (why: string): AdHocMigration => ({ notAMigration: `${rel} is not a migration file: ${why}. Analyze Migration reads SQL files, Alembic scripts (.py), Knex or node-pg-migrate files (.js/.ts) and goose Go files.` });
  if (!CANDIDATE_FILE.test(name)) return none(`no migration tool writes ${path.posix.extname(name) ? `${path.posix.extname(name)} files` : 'files without an extension'}`);
  const file = classifyFile({ name, path: rel, text });
  const migration = (tool: Migration['tool'], id = name): AdHocMigration => ({ migration: { tool, id, name, file: rel, order: 0, problems: [] } });
  switch (file.ext) {
    case 'sql':
      return migration(file.vote ?? 'sql');
    case 'py':
      if (file.vote === 'alembic') return migration('alembic', file.alembic?.revision ?? name);
      // A script without a revision header still analyses, as long as it has Alembic's functions.
      if (ALEMBIC_FUNCTIONS.test(text)) return migration('alembic');
      return none('it has no Alembic revision and no upgrade()/downgrade() function');
    case 'go':
      if (file.vote === 'goose') return migration('goose');
      return none('it registers no goose migration (goose.AddMigration…)');
    case 'js':
      if (file.vote) return migration(file.vote);
      if (file.js?.syntaxError) return none(`it does not parse as JavaScript/TypeScript (line ${file.js.syntaxError.line}: ${file.js.syntaxError.message})`);
      return none('it exports no up() that uses knex or pgm');
  }
}
