// Says, per file, which tool it looks like it belongs to. A folder's tool is then the
// majority vote of its files (see detect.ts); the per-file facts are kept so that each file
// is parsed once.
import type { MigrationTool } from '../config/types';
import { readAlembicHeader, type AlembicHeader } from './alembicHeader';
import type { SourceFile } from './folder';
import { inspectJsMigration, type JsInspection } from './jsMigration';

export interface ClassifiedFile extends SourceFile {
  /** The tool this file on its own points at; undefined when it says nothing. */
  vote?: MigrationTool;
  ext: 'py' | 'sql' | 'js' | 'go';
  alembic?: AlembicHeader;
  js?: JsInspection;
}

export const GOLANG_MIGRATE_NAME = /^(\d+)_(.*)\.(up|down)\.sql$/;
export const GOOSE_UP = /^\s*--\s*\+goose\s+up\b/im;
export const GOOSE_DOWN = /^\s*--\s*\+goose\s+down\b/im;
export const PGM_SQL_UP = /^\s*--\s*up migration\b/im;
export const PGM_SQL_DOWN = /^\s*--\s*down migration\b/im;
const GOOSE_GO = /\bgoose\.(AddMigration|AddNamedMigration|AddMigrationContext|AddMigrationNoTx|AddMigrationNoTxContext|AddNamedMigrationContext)\b/;

export function extensionOf(name: string): ClassifiedFile['ext'] {
  if (name.endsWith('.py')) return 'py';
  if (name.endsWith('.sql')) return 'sql';
  if (name.endsWith('.go')) return 'go';
  return 'js';
}

/** `readHeader` reads an Alembic script's identity: the whole module by default, just its header for the shallow pass. */
export function classifyFile(file: SourceFile, readHeader: (text: string) => AlembicHeader = readAlembicHeader): ClassifiedFile {
  const ext = extensionOf(file.name);
  const out: ClassifiedFile = { ...file, ext };
  switch (ext) {
    case 'py':
      // Cheap gate so helper modules do not pay for a parse.
      if (/\brevision\b/.test(file.text)) {
        out.alembic = readHeader(file.text);
        if (out.alembic.revision !== undefined) out.vote = 'alembic';
      }
      break;
    case 'sql':
      if (GOLANG_MIGRATE_NAME.test(file.name)) out.vote = 'golang-migrate';
      else if (GOOSE_UP.test(file.text)) out.vote = 'goose';
      else if (PGM_SQL_UP.test(file.text)) out.vote = 'node-pg-migrate';
      else out.vote = 'sql';
      break;
    case 'go':
      if (GOOSE_GO.test(file.text)) out.vote = 'goose';
      break;
    case 'js':
      out.js = inspectJsMigration(file.text);
      if (out.js.tool) out.vote = out.js.tool;
      break;
  }
  return out;
}
