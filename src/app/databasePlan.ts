import type { RollbackConfig } from '../core/config/types';
import { gooseSections } from '../core/classify';
import { migrationsToUndo, undoChoice, type UndoChoice, type UndoPath } from '../core/database';
import type { ReadRecordedBackup } from './recordedBackup';
import type { CommandRunner } from '../core/ports';
import { toolPresence } from '../core/database/toolPresence';
import { databasePlanInput, NO_DATABASE_SECTION, planDatabaseSection, type DatabaseSection, type SectionFacts } from '../core/database/section';
import { migrationsForFiles } from '../core/migrations';
import type { Migration, MigrationVerdict } from '../core/migrations/types';
import { releaseChangedFiles, type Release } from '../core/releases';
import type { WorkspaceModel } from './workspaceModel';
import { environmentCwd } from './environments';

/**
 * The database section of a rollback plan: the bad release's migrations (those added
 * between the target and the deployed release), each classified, turned into steps that
 * leave, mitigate, or undo one step at a time — all before the code switch, while the
 * migration files still exist.
 */
/** The operator closed the question of how to undo the bad release's migrations: nothing is planned. */
export class DatabaseChoiceCancelled extends Error {
  constructor() {
    super('No way back for the database was chosen (down steps or the backup); nothing was planned.');
    this.name = 'DatabaseChoiceCancelled';
  }
}

export type DatabaseSectionInput = {
  from: Release;
  to: Release;
  environment: string;
  chooseUndo?: (choice: UndoChoice) => Promise<UndoPath | undefined>;
  readBackup?: ReadRecordedBackup;
  targetRunner?: (where: string) => CommandRunner;
  /** The plan's own changed-files question (planGit.ts keeps its answer): the same diff is not run twice. */
  changedFiles?: (toSha: string, fromSha: string) => Promise<string[]>;
};

/**
 * Everything the plan needs from the database side (core/database/section.ts): the steps
 * before the code switch, the migration files the code step keeps (the bad release's
 * migrations the plan leaves applied), and the check after the rollback that the migration
 * tool still works on the target.
 */
export type { DatabaseSection };

export async function databaseSectionFor(workspace: WorkspaceModel, config: RollbackConfig, input: DatabaseSectionInput): Promise<DatabaseSection> {
  const env = config.environments.find((e) => e.name === input.environment);
  if (!env) return NO_DATABASE_SECTION;
  const changed = input.changedFiles ? await input.changedFiles(input.to.sha, input.from.sha) : await releaseChangedFiles(workspace.gitPort, input.from, input.to);
  const groups = await workspace.migrations();
  const added = migrationsForFiles(groups, changed);
  if (added.length === 0) return NO_DATABASE_SECTION;
  const verdicts: MigrationVerdict[] = [];
  for (const m of added) verdicts.push(await workspace.classify(m));
  const downSql: Record<string, string> = {};
  for (const m of added) {
    const sql = await downSqlOf(workspace, m);
    if (sql !== undefined) downSql[m.id] = sql;
  }
  const facts: SectionFacts = { added, verdicts, groups, changed, migrations: config.migrations, env, cwd: environmentCwd(env, workspace.root.fsPath), downSql, services: config.services };
  const planInput = databasePlanInput(facts);
  // Both ways back exist: the operator weighs the down steps' data loss against the backup's age.
  const choice = undoChoice(planInput);
  if (choice && input.chooseUndo) {
    const path = await input.chooseUndo(choice);
    if (!path) throw new DatabaseChoiceCancelled();
    planInput.mode = path;
  }
  // With backup.create, the backups log on the target names the backup the checks verify and the restore gets ({backup}).
  if (input.readBackup && migrationsToUndo(verdicts).length > 0) planInput.backup = await input.readBackup(env, facts.cwd, config.migrations, input.to);
  const section = planDatabaseSection(facts, planInput);
  return input.targetRunner && !config.migrations.status && section.verify.length ? withoutAbsentTool(section, added[0].tool, facts.cwd, env, input.targetRunner) : section;
}

/** The tool's default status check stays planned only where the tool is installed (core/database/toolPresence.ts). */
async function withoutAbsentTool(section: DatabaseSection, tool: Migration['tool'], cwd: string, env: { name: string; host: string }, runnerFor: (where: string) => CommandRunner): Promise<DatabaseSection> {
  const runner = runnerFor(env.host);
  try {
    const presence = await toolPresence(runner, tool, cwd, env.name);
    if (presence.present) return section;
    return { ...section, verify: section.verify.filter((s) => !s.toolStatus), notChecked: [...(section.notChecked ?? []), presence.note] };
  } finally {
    await runner.dispose().catch(() => undefined);
  }
}

/** Down SQL the extension can run itself: golang-migrate's .down.sql, goose's Down section. */
async function downSqlOf(workspace: WorkspaceModel, m: Migration): Promise<string | undefined> {
  const read = async (rel: string) => new TextDecoder().decode(await workspace.readFile(rel));
  try {
    if (m.tool === 'golang-migrate' && m.downFile) return await read(m.downFile);
    if (m.tool === 'goose') return gooseSections(await read(m.file)).down?.sql;
  } catch {
    // Unreadable: the plan says there is no down step and offers the restore path.
  }
  return undefined;
}
