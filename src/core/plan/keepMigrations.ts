// The code step restores the target release EXCEPT the bad release's migration files that
// stay applied on production (core/database/keptFiles.ts says which): right after the revert
// or the checkout, they are put back at the deployed release's version. On a revert they are
// committed on top of it, so the branch (and a push) carries them into the team's next
// deploy; on a detached checkout they are staged, and HEAD stays exactly the target release.

import type { GitIdentity } from './preflight';
import { identityArgs } from './preflight';
import { shJoin, validateRelativePath } from './shellQuote';
import type { PlanCommand, PlanStep, ReleaseRef } from './types';

export interface KeptFile {
  path: string;
  why: string;
}

type At = (command: string, extra?: Partial<PlanCommand>) => PlanCommand;

export const KEEP_STEP_ID = 'code-keep-migrations';

const TOOL_FAILURES =
  'Without them the migration tool fails on the target: Alembic cannot locate the revision alembic_version records, Knex refuses every migrate:latest ("the migration directory is corrupt"), node-pg-migrate\'s down says the definitions were deleted, golang-migrate\'s up finds no file for the recorded version.';

export interface KeepStepInput {
  at: At;
  files: KeptFile[];
  from: ReleaseRef;
  to: ReleaseRef;
  environment: string;
  runId: string;
  /** revert: committed on top of the revert (needs the operator's identity); checkout: staged on the detached HEAD. */
  mode: 'revert' | 'checkout';
  identity?: GitIdentity;
}

export function keepMigrationsStep(input: KeepStepInput): PlanStep | undefined {
  if (input.files.length === 0) return undefined;
  const { at, from, to } = input;
  const paths = input.files.map((f) => validateRelativePath(f.path));
  const list = input.files.map((f) => `  - ${f.why}`).join('\n');
  const title = `Keep ${paths.length === 1 ? paths[0] : `${paths.length} migration files`} from ${from.name} (still applied on ${input.environment})`;
  if (input.mode === 'revert') {
    const subject = `Keep ${paths.length === 1 ? paths[0] : `${paths.length} migration files`}: still applied on ${input.environment}`;
    const body = `Rollback ${input.runId} reverted ${from.name} to ${to.name} but left these migrations applied; the migration tool needs their files:\n${paths.map((p) => `- ${p}`).join('\n')}`;
    const commit = ['git', ...(input.identity ? identityArgs(input.identity) : []), 'commit', '-q', '-m', subject, '-m', body, '--', ...paths];
    // Nothing to commit when the revert left them in place (a single reverted commit that did not add them).
    const command = `${shJoin(['git', 'diff', '--quiet', from.sha, 'HEAD', '--', ...paths])} || { ${shJoin(['git', 'checkout', from.sha, '--', ...paths])} && ${shJoin(commit)}; }`;
    return {
      id: KEEP_STEP_ID,
      kind: 'code',
      title,
      why: `The revert restores ${to.name} except these files, put back at ${from.name}'s version and committed on top of the revert:\n${list}\n${TOOL_FAILURES}`,
      commands: [at(command)],
      alreadyDone: at(shJoin(['git', 'diff', '--quiet', from.sha, 'HEAD', '--', ...paths])),
      destructive: false,
    };
  }
  return {
    id: KEEP_STEP_ID,
    kind: 'code',
    title,
    why: `The checkout restores ${to.name} except these files, put back at ${from.name}'s version and staged (HEAD stays ${to.name}; git status lists them as new files, and a later checkout of a release that has them takes them over):\n${list}\n${TOOL_FAILURES}`,
    commands: [at(shJoin(['git', 'checkout', from.sha, '--', ...paths]))],
    alreadyDone: at(`${shJoin(['git', 'diff', '--quiet', from.sha, '--', ...paths])} && ${shJoin(['git', 'diff', '--cached', '--quiet', from.sha, '--', ...paths])}`),
    destructive: false,
  };
}
