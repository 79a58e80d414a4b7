// What the check after the rollback asks of the migration tool; kept on the plan step (and so
// in the journal). Its own file so that the plan's types can name it without an import circle.
import type { MigrationTool } from '../config/types';

export interface ToolStatusSpec {
  tool: MigrationTool;
  /** The status command as configured or defaulted (the first command of the step). */
  command: string;
  timeoutMs: number;
  /** Revisions or versions the tool must report after the rollback (Alembic heads, the golang-migrate version); absent: only that it works. */
  expect?: string[];
  /** golang-migrate/goose: the migrations folder, listed by the step's second command, that must hold a file for the version the tool reports. */
  versionDir?: string;
}
