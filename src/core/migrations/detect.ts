// Finds the project's migration folders and reads each with the rules of its tool.
// Every file is read once: the folder reader hands the same text to classification and to
// the tool reader.
import type { MigrationTool } from '../config/types';
import type { FileSystemPort } from '../ports';
import type { MigrationGroup } from './types';
import { buildAlembicGroup } from './alembicGroup';
import { classifyFile, type ClassifiedFile } from './fileKinds';
import { joinPath, normalizeDir, readFolder, type FolderListing } from './folder';
import { classifyShallow } from './shallow';
import { buildKnexGroup, buildNodePgMigrateGroup } from './jsGroups';
import type { JsTool } from './jsMigration';
import { buildGolangMigrateGroup, buildGooseGroup, buildPlainSqlGroup, buildPrismaGroup } from './sqlGroups';
import { codeUnitCompare } from './text';

export interface DetectOptions {
  /** From rollback.yml `migrations.tool`: read the folder(s) with this tool's rules, no guessing. */
  tool?: MigrationTool;
  /** From rollback.yml `migrations.dir`, relative to the repo root: read exactly this folder. */
  dir?: string;
  /**
   * For a first paint: the same groups (tools, migrations, order, graph, name- and graph-based
   * problems), but files are read only where names cannot tell (Alembic headers, goose `.go`
   * files, a folder whose tool only its contents reveal). Problems found only in file
   * contents (not UTF-8, JS syntax errors, missing Down sections …) may be missing; a
   * full detection afterwards reports them.
   */
  shallow?: boolean;
}

const ALEMBIC_DIRS = ['alembic/versions', 'migrations/versions'];
const PRISMA_DIRS = ['prisma/migrations'];
const GENERIC_DIRS = ['migrations', 'db/migrate', 'db/migrations'];

/** Strong votes beat plain `.sql`; on a tie the more specific tool wins. */
const TOOL_PRIORITY: MigrationTool[] = ['alembic', 'golang-migrate', 'goose', 'node-pg-migrate', 'knex'];

function defaultDirsFor(tool: MigrationTool): string[] {
  if (tool === 'alembic') return ALEMBIC_DIRS;
  if (tool === 'prisma') return PRISMA_DIRS;
  return GENERIC_DIRS;
}

async function topLevelDirs(fs: FileSystemPort): Promise<string[]> {
  const entries = await fs.readDir('');
  return entries
    .filter((e) => e.isDirectory && !e.name.startsWith('.') && e.name !== 'node_modules')
    .map((e) => e.name);
}

async function candidateDirs(fs: FileSystemPort, tool?: MigrationTool): Promise<string[]> {
  const dirs = tool ? [...defaultDirsFor(tool)] : [...ALEMBIC_DIRS, ...PRISMA_DIRS, ...GENERIC_DIRS];
  // Monorepos keep a service's migrations one level down (api/alembic/versions, web/prisma/migrations).
  const nested = !tool || tool === 'alembic' || tool === 'prisma';
  if (nested) {
    for (const top of await topLevelDirs(fs)) {
      if (!tool || tool === 'alembic') dirs.push(`${top}/alembic/versions`);
      if (!tool || tool === 'prisma') dirs.push(`${top}/prisma/migrations`);
    }
  }
  return [...new Set(dirs)];
}

/** Reads package.json at most once per detection, only when JS files say nothing themselves. */
function packageJsonHint(fs: FileSystemPort): () => Promise<JsTool | undefined> {
  let cached: Promise<JsTool | undefined> | undefined;
  return () =>
    (cached ??= (async () => {
      if (!(await fs.exists('package.json'))) return undefined;
      try {
        const pkg = JSON.parse(new TextDecoder().decode(await fs.readFile('package.json'))) as Record<string, unknown>;
        const deps = { ...(pkg.dependencies as object), ...(pkg.devDependencies as object) } as Record<string, unknown>;
        if ('node-pg-migrate' in deps && !('knex' in deps)) return 'node-pg-migrate';
        if ('knex' in deps && !('node-pg-migrate' in deps)) return 'knex';
      } catch {
        // A broken package.json is not this view's to report; the folder just stays undecided.
      }
      return undefined;
    })());
}

interface ToolDecision {
  tool: MigrationTool;
  problems: string[];
}

async function decideTool(
  listing: FolderListing,
  files: ClassifiedFile[],
  hint: () => Promise<JsTool | undefined>,
): Promise<ToolDecision | undefined> {
  if (listing.prismaFolders.length > 0) return { tool: 'prisma', problems: [] };
  const counts = new Map<MigrationTool, number>();
  for (const f of files) if (f.vote) counts.set(f.vote, (counts.get(f.vote) ?? 0) + 1);
  let best: MigrationTool | undefined;
  for (const tool of TOOL_PRIORITY) {
    if ((counts.get(tool) ?? 0) > (best ? counts.get(best)! : 0)) best = tool;
  }
  if (best) {
    const others = TOOL_PRIORITY.filter((t) => t !== best && (counts.get(t) ?? 0) > 0);
    const problems = others.map((t) => `${counts.get(t)} file(s) here look like ${t} migrations; the folder is read as ${best}`);
    return { tool: best, problems };
  }
  const jsFiles = files.filter((f) => f.ext === 'js');
  if (jsFiles.length > 0 && jsFiles.some((f) => f.js?.hasUp || f.js?.syntaxError)) {
    const fromPackage = await hint();
    if (fromPackage) return { tool: fromPackage, problems: [] };
    return {
      tool: 'knex',
      problems: [`could not tell whether ${listing.dir} holds Knex or node-pg-migrate migrations; read as knex (set migrations.tool in rollback.yml)`],
    };
  }
  if (counts.has('sql')) return { tool: 'sql', problems: [] };
  return undefined;
}

function buildGroup(tool: MigrationTool, listing: FolderListing, files: ClassifiedFile[], problems: string[]): MigrationGroup {
  let group: MigrationGroup;
  switch (tool) {
    case 'alembic':
      group = buildAlembicGroup(listing.dir, files);
      break;
    case 'prisma':
      group = buildPrismaGroup(listing);
      break;
    case 'golang-migrate':
      group = buildGolangMigrateGroup(listing.dir, files);
      break;
    case 'goose':
      group = buildGooseGroup(listing.dir, files);
      break;
    case 'knex':
      group = buildKnexGroup(listing.dir, files);
      break;
    case 'node-pg-migrate':
      group = buildNodePgMigrateGroup(listing.dir, files);
      break;
    case 'sql':
      group = buildPlainSqlGroup(listing.dir, files);
      break;
  }
  group.problems.unshift(...problems);
  return group;
}

async function readGroup(
  fs: FileSystemPort,
  dir: string,
  forcedTool: MigrationTool | undefined,
  hint: () => Promise<JsTool | undefined>,
  explicit: boolean,
  shallow: boolean,
): Promise<MigrationGroup | undefined> {
  let listing: FolderListing | undefined;
  try {
    listing = await readFolder(fs, dir, shallow);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // A file that merely shares a usual folder name is not a migration folder.
    if (explicit || !/ENOTDIR/.test(message)) return emptyGroup(forcedTool ?? 'sql', dir, `could not read the folder ${dir}: ${message}`);
    return undefined;
  }
  if (!listing) return undefined;
  const files = shallow ? await classifyShallow(fs, listing, forcedTool) : listing.files.map((f) => classifyFile(f));
  if (forcedTool) return buildGroup(forcedTool, listing, files, []);
  const decision = await decideTool(listing, files, hint);
  return decision ? buildGroup(decision.tool, listing, files, decision.problems) : undefined;
}

function emptyGroup(tool: MigrationTool, dir: string, problem: string): MigrationGroup {
  return { tool, dir, migrations: [], problems: [problem] };
}

/**
 * Every migration group of the repository behind `fs`, sorted by folder.
 * With `opts.dir` only that folder is read (with `opts.tool`'s rules when given); with only
 * `opts.tool`, that tool's usual folders. A configured folder that is missing or empty comes
 * back as a group with a problem rather than vanishing.
 */
export async function detectMigrations(fs: FileSystemPort, opts: DetectOptions = {}): Promise<MigrationGroup[]> {
  const hint = packageJsonHint(fs);
  if (opts.dir !== undefined) {
    const dir = normalizeDir(opts.dir);
    if (dir.startsWith('../') || dir === '..' || dir.startsWith('/') || /^[A-Za-z]:/.test(dir)) {
      return [emptyGroup(opts.tool ?? 'sql', dir, `migrations.dir ${opts.dir} must be a folder inside the repository`)];
    }
    const group = await readGroup(fs, dir, opts.tool, hint, true, opts.shallow === true);
    if (group && (group.migrations.length > 0 || group.problems.length > 0)) return [group];
    const tool = opts.tool ?? 'sql';
    if (!group && !(await fs.exists(dir))) return [emptyGroup(tool, dir, `migrations.dir ${dir} does not exist`)];
    return [emptyGroup(tool, dir, `no ${opts.tool ?? ''}${opts.tool ? ' ' : ''}migrations found in ${dir}`)];
  }

  const dirs = await candidateDirs(fs, opts.tool);
  const groups: MigrationGroup[] = [];
  for (const dir of dirs) {
    const group = await readGroup(fs, dir, opts.tool, hint, false, opts.shallow === true);
    if (group && (group.migrations.length > 0 || group.problems.length > 0)) groups.push(group);
  }
  if (opts.tool && groups.length === 0) {
    const looked = defaultDirsFor(opts.tool).map((d) => joinPath('', d));
    return [emptyGroup(opts.tool, looked[0], `no ${opts.tool} migrations found in ${looked.join(', ')}; set migrations.dir in rollback.yml`)];
  }
  return groups.sort((a, b) => codeUnitCompare(a.dir, b.dir));
}
