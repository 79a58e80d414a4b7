import * as path from 'node:path';
import { adHocMigration } from '../core/migrations/adHoc';
import type { Migration, MigrationVerdict } from '../core/migrations/types';
import type { WorkspaceModel } from './workspaceModel';

/**
 * Analyze Migration on one file (repo-relative or absolute): the migration detection lists,
 * or, for a file it did not list, the migration its text says it is. Returns the verdict, or
 * why the file cannot be analysed (outside the repository, unreadable, not a migration).
 */
export async function analyzeFile(workspace: WorkspaceModel, file: string): Promise<{ verdict: MigrationVerdict } | { problem: string }> {
  const root = workspace.root.fsPath;
  const abs = path.resolve(root, file);
  const rel = path.relative(root, abs).split(path.sep).join('/');
  if (rel.startsWith('..') || path.isAbsolute(rel)) return { problem: `${abs} is outside the repository ${root}` };
  const groups = await workspace.migrations();
  let migration: Migration | undefined = groups.flatMap((g) => g.migrations).find((m) => m.file === rel || m.downFile === rel);
  if (!migration) {
    let text: string;
    try {
      text = new TextDecoder().decode(await workspace.readFile(rel));
    } catch (e) {
      return { problem: `${rel}: cannot be read (${(e as Error).message})` };
    }
    const adHoc = adHocMigration(rel, text);
    if ('notAMigration' in adHoc) return { problem: adHoc.notAMigration };
    migration = adHoc.migration;
  }
  return { verdict: await workspace.classify(migration) };
}
