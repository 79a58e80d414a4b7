// What each single-host environment (local or one SSH host) runs, for the Releases view
// (issue 11): "production: v1.3.0 on prod-1 (/srv/app)", read from the target itself and kept
// with the time of the read, so the view can say how old it is. Fleets have their own line
// (fleetStatus.ts). Read on Refresh and once after the view's first paint, never before it:
// the releases come first, the lines are added when the targets have answered.
import { ageText } from '../core/config/environmentOrder';
import type { EnvironmentConfig, RollbackConfig } from '../core/config/types';
import { gitQueriesVia } from '../core/plan';
import { shJoin, shQuote } from '../core/plan/shellQuote';
import type { CommandRunner } from '../core/ports';
import type { Release } from '../core/releases';
import { deployedName, readDeployed } from '../core/releases/deployedOnTarget';
import { describeDeployedImage, readDeployedImages } from '../core/snapshot/deployedImages';
import { environmentCwd } from './environments';
import { isFleet } from './fleetPlanning';
import type { RollbackSessions } from './sessions';
import { rememberDeployed } from './targetFacts';
import type { WorkspaceModel } from './workspaceModel';

interface LocalHead {
  sha: string;
  tree: string;
  name: string;
}

export interface EnvironmentLine {
  environment: string;
  /** The host as rollback.yml names it ("local" or an SSH destination). */
  host: string;
  /** The working tree there. */
  path: string;
  /** ISO time the target was read. */
  readAt: string;
  /** "production: v1.3.0 on prod-1 (/srv/app)", or the reason it could not be read, naming the host. */
  text: string;
  /** The commit the target's tree is at (git strategies). */
  sha?: string;
  /** Its tag or short SHA. */
  name?: string;
  /** "production runs v1.3.0; your checkout is at v1.4.0": the laptop plans from a different commit than the host runs. */
  differs?: string;
  /** The target could not be read (or none of its images could): `text` says why. */
  problem?: boolean;
}

/** Where an environment is, as the lines say it: "prod-1 (/srv/app)", "this machine (./app)". */
function place(env: EnvironmentConfig): string {
  return env.host === 'local' ? `this machine (${env.path})` : `${env.host} (${env.path})`;
}

/** A background read answers no host-key question: an unknown key is said in the line, Refresh asks it. */
function quietProblem(message: string): string {
  return /host key .* was not accepted/.test(message) ? `${message.replace(/ was not accepted$/, ' is not in known_hosts yet')}: Rollback: Refresh asks whether to trust it` : message;
}

/** How many of the newest releases a host's tree is compared with (after a revert the host's commit has a release's tree, not its tag). */
const TREE_CANDIDATES = 30;

export interface EnvironmentStatusOptions {
  /** Runners for the read after the first paint, which must not ask anything (no host-key modal at start-up). Default: the sessions'. */
  quietRunnerFor?: (where: string) => CommandRunner;
  /** Defers the first-paint read until the tree has been handed its nodes. */
  defer?: (fn: () => void) => void;
}

export class EnvironmentStatus {
  private readonly lines = new Map<string, EnvironmentLine>();
  private readonly listeners = new Set<() => void>();
  private firstRead = false;
  private reading?: Promise<void>;

  constructor(
    private readonly workspace: WorkspaceModel,
    private readonly sessions: Pick<RollbackSessions, 'runnerFor'>,
    private readonly options: EnvironmentStatusOptions = {},
  ) {}

  /** The last reading of each single-host environment still in rollback.yml, in its order. */
  current(): EnvironmentLine[] {
    const envs = this.workspace.currentConfig()?.environments ?? [];
    return envs.flatMap((e) => {
      const l = this.lines.get(e.name);
      return l && l.host === e.host && l.path === e.path ? [l] : [];
    });
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Once per window, after the first paint: the releases are on screen, the targets are read behind them. */
  afterFirstPaint(): void {
    if (this.firstRead) return;
    this.firstRead = true;
    (this.options.defer ?? ((fn) => setTimeout(fn, 0)))(() => void this.read({ quiet: true }));
  }

  /** Reads every single-host environment (or the one named). Never throws: a problem is its line's. */
  read(opts: { environment?: string; quiet?: boolean } = {}): Promise<void> {
    // A Refresh while the first-paint read still runs waits for it, then reads again (it may ask about a host key).
    const go = async (): Promise<void> => {
      const { config, fellBackToDefault } = await this.workspace.config();
      if (fellBackToDefault) return;
      const envs = config.environments.filter((e) => !isFleet(e) && (opts.environment === undefined || e.name === opts.environment));
      if (envs.length === 0) return;
      const made = new Map<string, CommandRunner>();
      const runnerFor = (where: string): CommandRunner => {
        let r = made.get(where);
        if (!r) {
          r = opts.quiet && this.options.quietRunnerFor ? this.options.quietRunnerFor(where) : this.sessions.runnerFor(where);
          made.set(where, r);
        }
        return r;
      };
      try {
        const [local, listing] = await Promise.all([this.localHead(runnerFor('local')), this.workspace.releases().catch(() => undefined)]);
        const releases = listing?.releases ?? [];
        const trees = this.releaseTrees(releases);
        const lines = await Promise.all(envs.map((env) => this.readOne(env, config, runnerFor(env.host), { local, releases, trees }, !!opts.quiet)));
        for (const l of lines) this.lines.set(l.environment, l);
      } finally {
        await Promise.all([...made.values()].map((r) => r.dispose().catch(() => undefined)));
      }
      for (const l of [...this.listeners]) l();
    };
    const next = (this.reading ?? Promise.resolve()).then(go, go);
    this.reading = next.catch(() => undefined);
    return next.catch(() => undefined);
  }

  /** The operator's checkout: its HEAD and what to call it. */
  private async localHead(runner: CommandRunner): Promise<LocalHead | undefined> {
    const r = await runner.run(`git rev-parse -q 'HEAD^{commit}' 'HEAD^{tree}' && git tag --points-at HEAD --sort=-v:refname`, { cwd: this.workspace.root.fsPath, timeoutMs: 30_000 });
    const [sha, tree, tag] = r.stdout.trim().split('\n');
    return r.code === 0 && sha && tree ? { sha, tree, name: tag || sha.slice(0, 12) } : undefined;
  }

  /** The trees of the newest releases here, read once per reading and only when a host's commit is no release. */
  private releaseTrees(releases: Release[]): () => Promise<Map<string, string>> {
    let trees: Promise<Map<string, string>> | undefined;
    return () =>
      (trees ??= (async () => {
        const candidates = releases.slice(0, TREE_CANDIDATES);
        if (candidates.length === 0) return new Map<string, string>();
        const r = await this.sessions.runnerFor('local').run(shJoin(['git', 'rev-parse', ...candidates.map((c) => `${c.sha}^{tree}`)]), { cwd: this.workspace.root.fsPath, timeoutMs: 30_000 });
        const lines = r.code === 0 ? r.stdout.trim().split('\n') : [];
        const out = new Map<string, string>();
        // Newest first: a tree two releases share is named by the newer one.
        candidates.forEach((c, i) => lines[i] && !out.has(lines[i]) && out.set(lines[i], c.name));
        return out;
      })());
  }

  /** The host's commit is no release: the release whose tree it has, read on the host (its commit may exist only there). */
  private async sameTree(runner: CommandRunner, cwd: string, sha: string, trees: () => Promise<Map<string, string>>): Promise<{ tree: string; release?: string } | undefined> {
    const r = await runner.run(`git -C ${shQuote(cwd)} rev-parse --verify -q ${shQuote(`${sha}^{tree}`)}`, { timeoutMs: 30_000 });
    const tree = r.code === 0 ? r.stdout.trim() : '';
    return tree ? { tree, release: (await trees()).get(tree) } : undefined;
  }

  private async readOne(env: EnvironmentConfig, config: RollbackConfig, runner: CommandRunner, here: { local?: LocalHead; releases: Release[]; trees: () => Promise<Map<string, string>> }, quiet: boolean): Promise<EnvironmentLine> {
    const { local, releases } = here;
    const base = { environment: env.name, host: env.host, path: env.path };
    const cwd = environmentCwd(env, this.workspace.root.fsPath);
    const readAt = new Date().toISOString();
    try {
      if (env.strategy === 'image') {
        const images = await readDeployedImages(runner, env, config.services, cwd);
        if (images.length === 0) return { ...base, readAt, text: `${env.name}: no service has an image to read on ${place(env)}`, problem: true };
        const read = images.filter((i) => i.image);
        if (read.length) rememberDeployed(env, { sha: '', name: read.map(describeDeployedImage).join('; '), readAt });
        return { ...base, readAt, text: `${env.name} on ${place(env)}: ${images.map(describeDeployedImage).join('; ')}`, problem: read.length === 0 };
      }
      const git = gitQueriesVia(this.sessions.runnerFor('local'), this.workspace.root.fsPath);
      const d = await readDeployed(runner, env, { cwd, resolve: (ref) => git.revParseCommit(ref) });
      const release = d.tags?.[0] ?? releases.find((r) => r.sha === d.sha)?.name;
      const same = release ? undefined : await this.sameTree(runner, d.cwd, d.sha, here.trees);
      const name = release ?? same?.release ?? deployedName(d);
      // A revert commit made on the host runs its release's code: said so, and no warning when the checkout has that code too.
      const at = same?.release ? ` at ${d.sha.slice(0, 12)}, a commit with ${same.release}'s tree` : '';
      rememberDeployed(env, { sha: d.sha, name, readAt: d.readAt });
      const differs = local && local.sha !== d.sha && local.tree !== same?.tree ? `${env.name} runs ${name}; your checkout is at ${local.name}` : undefined;
      return { ...base, readAt: d.readAt, text: `${env.name}: ${name} on ${place(env)}${at}`, sha: d.sha, name, differs };
    } catch (e) {
      const message = quiet ? quietProblem((e as Error).message) : (e as Error).message;
      const named = message.includes(runner.where) || env.host === 'local' ? message : `${runner.where}: ${message}`;
      return { ...base, readAt, text: `${env.name} on ${place(env)} could not be read: ${named}`, problem: true };
    }
  }
}

/** What the Releases view shows of each line: its text, how old it is, and the differs warning. */
export function environmentNotes(lines: EnvironmentLine[], now = new Date()): Array<{ message: string; severity: 'info' | 'warning' }> {
  return lines.flatMap((l) => {
    const notes: Array<{ message: string; severity: 'info' | 'warning' }> = [{ message: `${l.text}, read ${ageText(l.readAt, now)}`, severity: l.problem ? 'warning' : 'info' }];
    if (l.differs) notes.push({ message: l.differs, severity: 'warning' });
    return notes;
  });
}
