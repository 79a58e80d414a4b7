import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { ConfigDiagnostic, RollbackConfig } from '../core/config/types';
import { defaultConfig, parseConfig } from '../core/config';
import type { Migration, MigrationGroup, MigrationVerdict } from '../core/migrations/types';
import { classifyFromFiles } from '../core/classify';
import type { SqlParser } from '../core/classify/sqlPort';
import { detectMigrations } from '../core/migrations';
import type { FileSystemPort } from '../core/ports';
import type { ReleaseListing } from '../core/releases';
import { listReleases } from '../core/releases';
import type { RecordsStore } from '../core/releases/recordsStore';
import type { GitPort } from '../core/releases/gitPort';
import { Changes, LoadOnce } from './changes';
import { PrefetchingGitPort } from './prefetchedTags';
import type { AppLog } from './log';

export const CONFIG_FILE = 'rollback.yml';

export interface LoadedConfig {
  /** The config in force: the file's when it validates, else the embedded default. */
  config: RollbackConfig;
  /** True when rollback.yml exists (even if it has errors). */
  fileExists: boolean;
  diagnostics: ConfigDiagnostic[];
  /** Set when the file exists but has errors, so the views can say why they show defaults. */
  fellBackToDefault: boolean;
  /** The text that was parsed (an open editor's unsaved text, else the file), for the stale-plan check's hash. */
  text?: string;
}

export type WorkspacePart = 'config' | 'releases' | 'migrations';

/** The adapters the model reads through, built in the composition roots (extension.ts, cli/main.ts). */
export interface WorkspaceDeps {
  gitPort: GitPort;
  records: RecordsStore;
  log: AppLog;
  /** A file system rooted at the workspace (confined to it); one per classification pass. */
  fileSystem: () => FileSystemPort;
  parser: SqlParser;
  /** The unsaved text of an open editor on this absolute path (VS Code), so diagnostics and plans follow what the user sees. */
  unsavedText?: (absPath: string) => string | undefined;
}

/**
 * Everything the views and the flows read about one workspace folder, loaded lazily and
 * cached until invalidate() (the VS Code side calls it from its file watchers; the command
 * line reads once). `root` is anything with an fsPath: a vscode.Uri is one.
 */
export class WorkspaceModel {
  private readonly changes = new Changes();
  /** Fired (debounced) when cached parts are dropped: the views repaint. */
  readonly onDidChange = this.changes.on;
  private configCache?: Promise<LoadedConfig>;
  private lastConfig?: RollbackConfig;
  private releasesCache?: Promise<ReleaseListing>;
  /** What the chosen environment's target said runs there (its HEAD, its snapshot file), read over its own connection. */
  private target?: { headSha: string; snapshotSha?: string };
  private readonly migrationsCache = new LoadOnce<MigrationGroup[]>();
  private shallowCache?: Promise<MigrationGroup[]>;
  private readonly verdictsCache = new LoadOnce<Map<string, MigrationVerdict>>();
  private debounce?: NodeJS.Timeout;
  readonly gitPort: GitPort;
  private readonly tags: PrefetchingGitPort;
  private readonly records: RecordsStore;
  private readonly log: AppLog;

  constructor(
    readonly root: { readonly fsPath: string },
    private readonly deps: WorkspaceDeps,
  ) {
    this.tags = new PrefetchingGitPort(deps.gitPort);
    this.gitPort = this.tags;
    this.records = deps.records;
    this.log = deps.log;
  }

  /** Drops cached parts and tells the views, debounced so a `git fetch --tags` is one refresh. */
  invalidate(parts: WorkspacePart[] = ['config', 'releases', 'migrations']): void {
    if (parts.includes('config')) {
      this.configCache = undefined;
      this.tags.forget();
    }
    if (parts.includes('releases')) this.releasesCache = undefined;
    if (parts.includes('migrations') || parts.includes('config')) {
      this.migrationsCache.clear();
      this.shallowCache = undefined;
      this.verdictsCache.clear();
    }
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.changes.fire(), 250);
    // A command line process must be free to exit while a repaint is pending.
    this.debounce.unref?.();
  }

  /** Production is the source of truth: the listing (deployed, last-known-good) follows what the target said, until told otherwise. */
  useTargetFacts(target: { headSha: string; snapshotSha?: string } | undefined): void {
    this.target = target;
    this.invalidate(['releases']);
  }

  /**
   * Starts reading the release tags now, for the listing the flow makes right after the target
   * was read (the listing follows the target, the tags do not): the two reads overlap.
   */
  async prefetchReleases(): Promise<void> {
    const { config } = await this.config();
    this.tags.prefetchTags(config.releases.tags);
  }

  config(): Promise<LoadedConfig> {
    this.configCache ??= this.loadConfig().then((c) => {
      this.lastConfig = c.config;
      return c;
    });
    return this.configCache;
  }

  /** The config as last loaded, for callers that cannot wait (the checklist's settings). */
  currentConfig(): RollbackConfig | undefined {
    return this.lastConfig;
  }

  releases(): Promise<ReleaseListing> {
    this.releasesCache ??= this.loadReleases();
    return this.releasesCache;
  }

  migrations(): Promise<MigrationGroup[]> {
    return this.migrationsCache.get(() => this.loadMigrations());
  }

  /** The full detection if it has finished, without waiting. */
  migrationsIfReady(): MigrationGroup[] | undefined {
    return this.migrationsCache.ready;
  }

  /**
   * The same groups in the same order, read only as far as the order needs (names, Alembic
   * headers): the tree paints from this at once, and the full pass (content problems, then
   * classes) fills in after.
   */
  migrationsShallow(): Promise<MigrationGroup[]> {
    this.shallowCache ??= this.loadMigrations(true);
    return this.shallowCache;
  }

  /** Every migration's safety class for a code rollback, by file. Classified once per change on disk. */
  verdicts(): Promise<Map<string, MigrationVerdict>> {
    return this.verdictsCache.get(() => this.classifyAll());
  }

  /** The verdicts if classification has finished, without waiting: the tree paints first and fills in classes after. */
  verdictsIfReady(): Map<string, MigrationVerdict> | undefined {
    return this.verdictsCache.ready;
  }

  /** Classifies one migration from its files as they are on disk now (Analyze Migration). */
  classify(migration: Migration, fs: FileSystemPort = this.deps.fileSystem()): Promise<MigrationVerdict> {
    return classifyFromFiles({ migration, fs, root: '.', parser: this.deps.parser });
  }

  private async classifyAll(): Promise<Map<string, MigrationVerdict>> {
    const groups = await this.migrations();
    const out = new Map<string, MigrationVerdict>();
    const started = Date.now();
    const all = groups.flatMap((g) => g.migrations);
    // One file system for the pass: the root is resolved once, not once per file.
    const fs = this.deps.fileSystem();
    // A few files at a time: the parser is in-process, so this bounds memory, not CPU.
    for (let i = 0; i < all.length; i += 16) {
      const batch = all.slice(i, i + 16);
      const verdicts = await Promise.all(batch.map((m) => this.classify(m, fs)));
      batch.forEach((m, k) => out.set(m.file, verdicts[k]));
    }
    if (all.length) this.log.info(`Classified ${all.length} migrations in ${Date.now() - started} ms`);
    return out;
  }

  /** A file of the repository, by repo-relative path (confined to the workspace root). */
  readFile(relativePath: string): Promise<Uint8Array> {
    return this.deps.fileSystem().readFile(relativePath);
  }

  /** rollback.yml's absolute path. */
  get configPath(): string {
    return path.join(this.root.fsPath, CONFIG_FILE);
  }

  private async loadConfig(): Promise<LoadedConfig> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.configPath);
    } catch {
      return { config: defaultConfig(), fileExists: false, diagnostics: [], fellBackToDefault: false };
    }
    // An open editor may hold unsaved edits; diagnostics follow what the user sees.
    const text = this.deps.unsavedText?.(this.configPath) ?? new TextDecoder().decode(bytes);
    const { config, diagnostics } = parseConfig(text, CONFIG_FILE);
    if (!config) {
      this.log.warn(`${CONFIG_FILE} has errors; the views use the embedded defaults until they are fixed.`);
      return { config: defaultConfig(), fileExists: true, diagnostics, fellBackToDefault: true };
    }
    return { config, fileExists: true, diagnostics, fellBackToDefault: false, text };
  }

  private async loadReleases(): Promise<ReleaseListing> {
    const { config } = await this.config();
    const loaded = await this.records.load();
    const records = { ...loaded, snapshotSha: this.target?.snapshotSha ?? (await this.localSnapshotSha(config)) ?? loaded.snapshotSha };
    const started = Date.now();
    const listing = await listReleases(this.gitPort, { tagPattern: config.releases.tags, records, branch: config.environments[0]?.branch, targetHeadSha: this.target?.headSha });
    if (this.records.problem) listing.notes.unshift(this.records.problem.message);
    this.log.info(`Listed ${listing.releases.length} releases matching ${config.releases.tags} in ${Date.now() - started} ms`);
    return listing;
  }

  /**
   * A local target's pre-deploy snapshot file (environments.*.snapshot) names the SHA that
   * ran before the latest deploy: the best last-known-good there is. Remote targets are
   * read over SSH by the rollback itself, not on every tree refresh.
   */
  private async localSnapshotSha(config: RollbackConfig): Promise<string | undefined> {
    for (const env of config.environments) {
      if (env.host !== 'local' || !env.snapshot) continue;
      const file = path.resolve(this.root.fsPath, env.path, env.snapshot);
      try {
        const text = await readFile(file, 'utf8');
        const sha = /\b[0-9a-f]{40}\b/.exec(text)?.[0];
        if (sha) return sha;
        this.log.warn(`Snapshot file ${file} holds no full commit SHA; ignoring it.`);
      } catch {
        // No snapshot recorded yet: the records and tags decide.
      }
    }
    return undefined;
  }

  private async loadMigrations(shallow = false): Promise<MigrationGroup[]> {
    const { config } = await this.config();
    const m = config.migrations;
    return detectMigrations(this.deps.fileSystem(), { ...(m.tool || m.dir ? { tool: m.tool, dir: m.dir } : {}), shallow });
  }

  /** The code change from one commit to another (what a rollback from → to applies), for the preview. */
  async gitDiff(fromSha: string, toSha: string): Promise<string> {
    if (!/^[0-9a-f]{40}$/.test(fromSha) || !/^[0-9a-f]{40}$/.test(toSha)) throw new Error('gitDiff takes full SHAs');
    const { stdout } = await promisify(execFile)('git', ['diff', '--stat', '--patch', fromSha, toSha, '--'], { cwd: this.root.fsPath, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  }

  dispose(): void {
    clearTimeout(this.debounce);
    this.changes.clear();
  }
}
