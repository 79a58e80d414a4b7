// Before the status check after the rollback is planned with the tool's default command: is the
// tool there at all on the target? Many teams run their migrations from CI, so the deploy host
// has no `migrate` or `alembic`; a status step planned anyway fails after a rollback that went
// well, and the on-call engineer is told the rollback did not finish. Asked at planning, over the
// target's connection, so the preview says what will not be checked and why.
import type { MigrationTool } from '../config/types';
import type { CommandRunner } from '../ports';
import { shQuote } from '../plan/shellQuote';

/** The executable the default status command needs: on PATH, or (npx) in the tree's node_modules/.bin. */
const DEFAULT_EXECUTABLE: Partial<Record<MigrationTool, { name: string; npx?: boolean }>> = {
  alembic: { name: 'alembic' },
  knex: { name: 'knex', npx: true },
  'node-pg-migrate': { name: 'node-pg-migrate', npx: true },
  prisma: { name: 'prisma', npx: true },
  'golang-migrate': { name: 'migrate' },
  goose: { name: 'goose' },
};

/**
 * The shell test that prints "present" or "absent": whether the tool's default status command can
 * start in the tree (cwd). It prints rather than exits with the answer because shells disagree on
 * `command -v`'s exit status for a missing name (dash 127, bash 1), and 127 also means "no shell".
 */
export function toolPresenceCommand(tool: MigrationTool): string | undefined {
  const exe = DEFAULT_EXECUTABLE[tool];
  if (!exe) return undefined;
  const onPath = `command -v ${shQuote(exe.name)} >/dev/null 2>&1`;
  const test = exe.npx ? `[ -x ${shQuote(`node_modules/.bin/${exe.name}`)} ] || ${onPath}` : onPath;
  return `if ${test}; then echo present; else echo absent; fi`;
}

export type ToolPresence = { present: true } | { present: false; note: string };

/**
 * Whether the default status command's tool is on the target. Only a clear "absent" drops the
 * check; a connection that fails keeps it planned, and the run will say.
 */
export async function toolPresence(runner: CommandRunner, tool: MigrationTool, cwd: string, environment: string): Promise<ToolPresence> {
  const test = toolPresenceCommand(tool);
  const exe = DEFAULT_EXECUTABLE[tool];
  if (!test || !exe) return { present: true };
  const r = await runner.run(test, { cwd, timeoutMs: 15_000 });
  if (r.code !== 0 || r.lost || r.timedOut || r.stdout.trim() !== 'absent') return { present: true };
  const where = exe.npx ? `in ${cwd}/node_modules/.bin nor on the PATH` : 'on the PATH';
  return {
    present: false,
    note:
      `that ${tool} still works on ${environment} after the rollback: \`${exe.name}\` is not installed on ${runner.where} (not ${where}). ` +
      `Set migrations.status in rollback.yml to the command your deploy runs the tool with, and the plan checks it.`,
  };
}
