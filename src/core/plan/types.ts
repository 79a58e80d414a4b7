// A RollbackPlan is what the preview shows and, exactly, what the run executes.
import type { LogWatchStep } from '../logs/types';
import type { ChosenBackup } from '../backups/backupsLog';
import type { PlannedHealth, PlannedSmokeEntry } from '../verification/types';
import type { ToolStatusSpec } from '../database/toolStatusSpec';

export type StepKind =
  | 'decide'
  | 'target'
  | 'snapshot'
  | 'code'
  | 'image'
  | 'config'
  | 'build'
  | 'deploy'
  | 'wait'
  | 'health'
  | 'smoke'
  | 'database'
  | 'push'
  | 'notify'
  | 'full-redeploy'
  | 'log-watch'
  | 'logs';

export type StepOutcome = 'pending' | 'running' | 'ok' | 'failed' | 'skipped' | 'unknown';

export interface PlanCommand {
  /** The exact command line that runs (already quoted). */
  command: string;
  /** "local" or the SSH destination. */
  where: string;
  /** Working directory on that target. */
  cwd?: string;
  /** Text fed on stdin (e.g. a SQL fix statement). */
  input?: string;
  /** This command's own timeout, shorter than the environment's (a status command that may hang). */
  timeoutMs?: number;
  /** Run-time HTTP checks on the target only: stdout reaches the step unredacted (see ExecOptions.rawOutput). */
  rawOutput?: boolean;
}

export interface PlanStep {
  id: string;
  kind: StepKind;
  title: string;
  /** Why this step is in the plan. */
  why: string;
  commands: PlanCommand[];
  /** Destructive steps need the environment's name typed before the run starts them. */
  destructive: boolean;
  /** Needs its own confirmation at run time (each chained down step). */
  confirmEach?: boolean;
  /**
   * Work the operator does by hand (no command can do it: restore a backup with no
   * restore command, undo a migration with no down). The run asks whether it was done and
   * records who said so; it is never recorded as "ok" by itself. Without the flag, a step
   * with no commands that needs confirming or is destructive counts as manual too.
   */
  manual?: boolean;
  /** Service this step belongs to, for build/deploy/health/smoke. */
  service?: string;
  /** A command whose exit 0 means the step's effect is already there (used on resume). */
  alreadyDone?: PlanCommand;
  /** For health steps: url, expect, deadline, probe timeout, headers (secrets by name only), JSON expectations. */
  health?: PlannedHealth;
  /** For smoke steps with HTTP steps: the flow, in order (commands and requests); without it the smoke step is its commands. */
  smoke?: PlannedSmokeEntry[];
  /** For wait steps: how long to wait (warm-up). */
  waitMs?: number;
  /** Run when the step fails, to put things back exactly as before it (e.g. `git revert --abort`). */
  onFailure?: PlanCommand;
  /**
   * Set on the backup check: the run reads the newest backup's date from the command's
   * output and fails the step when none is listed or it is older than maxAgeMs, so the
   * operator decides (retry, skip with a reason, stop) before anything destructive runs.
   */
  backupAge?: { maxAgeMs: number; purpose?: 'undo' | 'restore' };
  /** Set on the check of the backup recorded in the backups log: the preflight checks the same one first. */
  checksBackup?: { chosen: ChosenBackup; maxAgeMs: number };
  /** Set on the row-count check after a restore: the id of the step that counted before it; a table emptied by the restore fails the step. */
  rowCountsBefore?: string;
  /** Set on the step that stashes local changes: the stash message, so the run can record where the work went. */
  stashMessage?: string;
  /** Log watching (core/logs): the start, before the first change, and each service's check after the watch window. */
  logWatch?: LogWatchStep;
  /** Set on the check that the migration tool still works after the rollback (core/database/toolStatus.ts): what its output must say. */
  toolStatus?: ToolStatusSpec;
}

/** A file on the host that git does not track now but the code step would write. */
export interface HostFile {
  path: string;
  /** ignored: git overwrites it silently; untracked: git refuses to, so it is moved aside first. */
  kind: 'ignored' | 'untracked';
}

/** What the target's working tree holds that the code step or the stash would touch, read on the target before the preview. */
export interface HostFiles {
  /** Ignored and untracked files at paths the target release tracks: saved before the code step, put back after it. */
  wouldOverwrite: HostFile[];
  /** Tracked files with uncommitted changes: the stash puts them away (and they come back with git stash pop). */
  wouldMove: string[];
  /** Files the save step refuses to handle (a name with a newline or control character, a path under .rollback/ the release tracks), with why. */
  blocked: string[];
  /** Why the target could not be read; the save step still looks at run time. */
  error?: string;
}

export interface ReleaseRef {
  /** Tag name or short SHA for display. */
  name: string;
  sha: string;
}

export interface RollbackPlan {
  id: string;
  environment: string;
  where: string;
  strategy: 'revert' | 'checkout' | 'tag' | 'image';
  from: ReleaseRef;
  to: ReleaseRef;
  /** Which source chose the target: snapshot, deploy-record, previous-tag, user. */
  targetSource: 'snapshot' | 'deploy-record' | 'previous-tag' | 'user';
  reason: string;
  steps: PlanStep[];
  /** Services whose paths changed between to and from. */
  affectedServices: string[];
  createdAt: string;
  createdBy: string;
  /** Working tree the code steps run in on `where` (absolute for local targets). */
  cwd?: string;
  /** For revert plans: the steps that replace the code step when the user switches to checkout after a conflict. */
  fallback?: { strategy: 'checkout'; replaces: string[]; steps: PlanStep[]; why: string };
  /** The nuclear option: the steps that replace the service steps still to do when the operator asks for a full redeploy after a failure. */
  fullRedeploy?: { replaces: string[]; steps: PlanStep[]; why: string };
  /** How to get back to the branch after a detached checkout. */
  returnHint?: string;
  /** Per-command timeout from the environment's config. */
  commandTimeoutMs?: number;
  /**
   * What of the release the plan undoes, when it is not the whole code change (the decision
   * tree, core/decision): one commit reverted; the configuration only (restored and the services
   * recreated, or the services restarted), with no code step; or the full rollback, every service.
   */
  scope?: { kind: 'commit'; sha: string; subject: string } | { kind: 'config'; remedy: 'restore' | 'restart' } | { kind: 'full' };
  /** The environment's team folder on the target (`records:`, relative to cwd or absolute), where the journal copy goes; default `.rollback`. */
  records?: string;
  /**
   * Code strategies: where the save step keeps the host's files in the way of the code step
   * (`.rollback/saved/<run>` under cwd), the files put back with the release's version kept
   * (configFiles the plan restores from the release), and what the target held at planning.
   */
  hostFiles?: { savedIn: string; releaseWins: string[]; found?: HostFiles };
  /** What the plan would have checked but cannot on this target, each with why and what to set (shown in the preview). */
  notChecked?: string[];
}
