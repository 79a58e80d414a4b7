import type { MigrationTool } from '../config/types';

/** One migration file (or folder, for Prisma) the project has. */
export interface Migration {
  tool: MigrationTool;
  /** Stable id: Alembic revision, Prisma folder name, version number, file stem. */
  id: string;
  name: string;
  /** Path relative to the repo root, forward slashes. The file to open. */
  file: string;
  /** Path of the down file where the tool keeps it separately (golang-migrate). */
  downFile?: string;
  /** Alembic: parent revisions (several for a merge). */
  parents?: string[];
  /** Position in the real apply order, 0-based, within its tool group. */
  order: number;
  /** Problems found while reading it (unparsable, missing parent …). */
  problems: string[];
}

export interface MigrationGroup {
  tool: MigrationTool;
  dir: string;
  migrations: Migration[];
  /** Alembic: revisions with more than one child (branch points), in apply order. Merge revisions are in `merges`. */
  branchPoints?: string[];
  heads?: string[];
  /** Alembic: merge revisions (several parents), in apply order. */
  merges?: string[];
  problems: string[];
}

export type MigrationClass = 'safe' | 'mitigate' | 'destructive' | 'unknown';

export interface MigrationFinding {
  class: MigrationClass;
  /** Rule id in the vocabulary of the established linters where they overlap (e.g. adding-required-field). */
  rule: string;
  /** The statement the finding is about, as written. */
  statement: string;
  /** 1-based position of the statement in the file. */
  line: number;
  column: number;
  reason: string;
  /** A statement that makes the old code work again, when one exists. */
  fix?: string;
  fixRisk?: string;
  /** 'up' for the migration itself, 'down' for its undo path. */
  direction: 'up' | 'down';
  /** How sure we are: parsed with a real parser, or only analysed as text. */
  confidence: 'parsed' | 'text';
}

export interface MigrationVerdict {
  migration: Pick<Migration, 'tool' | 'id' | 'file'>;
  /** The worst class over the up path's findings (destructive > unknown > mitigate > safe). */
  class: MigrationClass;
  findings: MigrationFinding[];
}
