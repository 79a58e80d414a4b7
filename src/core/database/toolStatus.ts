// After the rollback: does the migration tool still work on the target? Asked of the tool
// itself (`alembic current`, `knex migrate:status`, node-pg-migrate's dry run, `migrate
// version`), in the rolled-back tree, bounded by a timeout of its own. A tool that cannot
// read its own state breaks the team's next deploy, which is when nobody is watching.

import type { MigrationTool } from '../config/types';
import type { PlanCommand, PlanStep } from '../plan/types';
import { shJoin, shQuote, validateRelativePath } from '../plan/shellQuote';
import type { ToolStatusSpec } from './toolStatusSpec';

export type { ToolStatusSpec };

export const TOOL_STATUS_STEP_ID = 'db-tool-status';
export const DEFAULT_STATUS_TIMEOUT_MS = 30_000;

/** The tool's own status command, when the tool has one we can name without guessing a database URL. */
export function defaultStatusCommand(tool: MigrationTool, dir: string | undefined): string | undefined {
  switch (tool) {
    case 'alembic':
      return 'alembic current';
    case 'knex':
      // --no-install: never fetch a package onto a production host.
      return 'npx --no-install knex migrate:status';
    case 'node-pg-migrate':
      // down's dry run reads pgmigrations and needs the file of the last applied migration, as a real down would; it runs nothing.
      return 'npx --no-install node-pg-migrate down --dry-run';
    case 'prisma':
      return 'npx --no-install prisma migrate status';
    case 'golang-migrate':
      return dir ? `migrate -path ${shQuote(dir)} -database "$DATABASE_URL" version` : undefined;
    case 'goose':
      return dir ? `goose -dir ${shQuote(dir)} version` : undefined;
    default:
      return undefined;
  }
}

const TOOL_NAME: Record<MigrationTool, string> = {
  alembic: 'Alembic',
  knex: 'Knex',
  'node-pg-migrate': 'node-pg-migrate',
  prisma: 'Prisma Migrate',
  'golang-migrate': 'golang-migrate',
  goose: 'goose',
  sql: 'the SQL migrations',
};

export interface ToolStatusInput {
  tool: MigrationTool;
  /** migrations.status; undefined: the tool's default. */
  command?: string;
  timeoutMs?: number;
  dir?: string;
  expect?: string[];
  at: (command: string, extra?: Partial<PlanCommand>) => PlanCommand;
  environment: string;
  where: string;
}

export function toolStatusStep(input: ToolStatusInput): PlanStep | undefined {
  const command = input.command ?? defaultStatusCommand(input.tool, input.dir);
  if (!command) return undefined;
  const timeoutMs = input.timeoutMs ?? DEFAULT_STATUS_TIMEOUT_MS;
  const versionDir = (input.tool === 'golang-migrate' || input.tool === 'goose') && input.dir ? validateRelativePath(input.dir) : undefined;
  const spec: ToolStatusSpec = { tool: input.tool, command, timeoutMs, ...(input.expect?.length ? { expect: input.expect } : {}), ...(versionDir ? { versionDir } : {}) };
  const name = TOOL_NAME[input.tool];
  const commands = [input.at(command, { timeoutMs })];
  // golang-migrate's `version` answers from schema_migrations alone: whether that version still has a file is asked of the tree.
  if (versionDir) commands.push(input.at(shJoin(['ls', '-1', '--', versionDir]), { timeoutMs }));
  return {
    id: TOOL_STATUS_STEP_ID,
    kind: 'database',
    title: `Check that ${name} still works on ${input.environment}: ${command}`,
    why:
      `The tool's own status command, run in the rolled-back tree on ${input.where}: if it cannot read its own state, the team's next deploy fails there. ` +
      (spec.expect ? `It must report ${spec.expect.join(', ')}. ` : '') +
      (versionDir ? `The version it reports must have its file in ${versionDir}. ` : '') +
      `Stopped after ${Math.round(timeoutMs / 1000)} s (migrations.statusTimeout); it only reads.`,
    commands,
    destructive: false,
    toolStatus: spec,
  };
}

export interface StatusRun {
  code: number | null;
  timedOut?: boolean;
  lost?: boolean;
  output: string;
}

/** What a failure means, where the tool says it in a way we know. */
const KNOWN_FAILURES: Array<{ pattern: RegExp; meaning: string }> = [
  { pattern: /Can't locate revision identified by '([^']+)'/, meaning: 'alembic_version records $1, which has no file in the rolled-back tree' },
  { pattern: /migration directory is corrupt, the following files are missing: ([^\n]+)/, meaning: 'knex_migrations records $1, which the rolled-back tree lacks' },
  { pattern: /Definitions of migrations ([^\n]+?) have been deleted/, meaning: 'pgmigrations records $1, whose file the rolled-back tree lacks' },
  { pattern: /Not run migration (\S+) is preceding already run migration (\S+)/, meaning: 'the tree has $1 before the applied $2: the order no longer matches pgmigrations' },
  { pattern: /no migration found for version (\d+)/, meaning: 'schema_migrations records version $1, which has no file in the tree' },
  { pattern: /Dirty database version (\d+)/, meaning: 'schema_migrations is dirty at version $1: a migration failed half-way' },
  { pattern: /following migration\(s\) are applied to the database but missing from the local migrations directory: ([^\n]+)/, meaning: '_prisma_migrations records $1, which the tree lacks' },
];

function lastLines(text: string, n = 3): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('$ '));
  return lines.slice(-n).join(' | ').slice(0, 400);
}

/** The step's verdict from the status command's run (and, for golang-migrate, the folder listing). */
export function judgeToolStatus(spec: ToolStatusSpec, run: StatusRun, where: string, listing?: string): { ok: boolean; detail: string } {
  const cmd = `\`${spec.command}\``;
  if (run.timedOut) {
    return { ok: false, detail: `${cmd} gave no answer within ${Math.round(spec.timeoutMs / 1000)} s on ${where} and was stopped (migrations.statusTimeout): the tool hangs — waiting on a lock on its table, on a database that does not answer, or on a prompt. Run it there by hand to see where it waits.` };
  }
  if (run.lost) return { ok: false, detail: `the connection to ${where} was lost while ${cmd} ran; it only reads, so retrying is safe` };
  const known = KNOWN_FAILURES.map((k) => ({ k, m: k.pattern.exec(run.output) })).find((x) => x.m);
  const meaning = known ? known.k.meaning.replace(/\$(\d)/g, (_, i: string) => known.m![Number(i)] ?? '') : undefined;
  if (run.code !== 0) {
    const why = run.code === null ? 'was killed' : `failed (exit ${run.code})`;
    return { ok: false, detail: `${cmd} ${why} on ${where}${meaning ? `: ${meaning}` : ''}: ${lastLines(run.output) || 'no output'}` };
  }
  if (meaning) return { ok: false, detail: `${cmd} exited 0 but says: ${meaning} (${lastLines(run.output)})` };
  const said = lastLines(run.output) || 'no output';
  if (spec.versionDir) {
    const version = reportedVersion(run.output);
    if (version === undefined) return { ok: false, detail: `${cmd} printed no version on ${where}: ${said}` };
    if (spec.expect && !spec.expect.includes(version)) return { ok: false, detail: `${cmd} reports version ${version}; after this rollback it should be ${spec.expect.join(' or ')}` };
    if (version !== '0' && listing !== undefined && !versionHasFile(listing, version)) {
      return { ok: false, detail: `${cmd} reports version ${version}, but ${spec.versionDir} has no file for it: the next \`migrate up\` fails with "no migration found for version ${version}"` };
    }
    return { ok: true, detail: `${cmd}: version ${version}${version !== '0' ? `, its file is in ${spec.versionDir}` : ''}` };
  }
  const missing = (spec.expect ?? []).filter((e) => !run.output.includes(e));
  if (missing.length) return { ok: false, detail: `${cmd} does not report ${missing.join(', ')}, which this rollback leaves applied: ${said}` };
  return { ok: true, detail: `${cmd}: ${said}` };
}

/** golang-migrate prints the version alone on a line ("3", "3 (dirty)"); goose ends its status with "Version: 3" style lines. */
function reportedVersion(output: string): string | undefined {
  const lines = output.split('\n').map((l) => l.trim());
  for (const l of lines.reverse()) {
    const m = /^(\d+)(\s+\(dirty\))?$/.exec(l) ?? /version[:\s]+(\d+)\b/i.exec(l);
    if (m) return String(BigInt(m[1]));
    if (/^error: no migration$/.test(l)) return '0';
  }
  return undefined;
}

function versionHasFile(listing: string, version: string): boolean {
  return listing.split('\n').some((name) => {
    const m = /^(\d+)_/.exec(name.trim());
    return !!m && String(BigInt(m[1])) === version && /\.up\.sql$|\.sql$|\.go$/.test(name.trim());
  });
}

/**
 * What the tool must report once the plan ran: Alembic's heads among the migrations left
 * applied (or the revision the oldest down step returns to), golang-migrate's and goose's
 * version. Undefined where the plan cannot know (a restore, a tool that reports lists).
 */
export function expectedAfterRollback(input: {
  tool: MigrationTool;
  /** The bad release's migrations in apply order, each with whether the plan leaves it applied. */
  release: Array<{ id: string; parents?: string[]; staysApplied: boolean }>;
  restores: boolean;
  /** Where the oldest down step returns to (Alembic: its down_revision; golang-migrate: the version before the release). */
  before?: string;
}): string[] | undefined {
  if (input.restores || !['alembic', 'golang-migrate', 'goose'].includes(input.tool)) return undefined;
  const stays = input.release.filter((m) => m.staysApplied);
  if (input.tool === 'alembic') {
    if (stays.length === 0) return input.before && input.before !== 'base' ? [input.before] : undefined;
    const parents = new Set(stays.flatMap((m) => m.parents ?? []));
    return stays.filter((m) => !parents.has(m.id)).map((m) => m.id);
  }
  const last = stays.at(-1)?.id ?? input.before;
  if (last === undefined) return undefined;
  const digits = last.replace(/\D/g, '');
  return [digits ? String(BigInt(digits)) : '0'];
}
