// Log watching, in the plan's and the journal's words. Self-contained (no import from the
// plan or the runner), so plan/types.ts and journalTypes.ts can use it without a circle.

/** How {since} is written for the logs command: RFC 3339 (docker, docker compose, kubectl --since-time), journalctl's own form, or Unix seconds. */
export type SinceFormat = 'rfc3339' | 'journal' | 'epoch';

/** One service's log watch as planned: what runs, where, what counts as an error, the windows and the bar. */
export interface LogWatchService {
  service: string;
  /** The logs command as written in rollback.yml; {since} is filled in (quoted) each time it runs, with the start of the window it reads. */
  command: string;
  since: SinceFormat;
  /** "local" or the SSH destination: where the service runs. */
  where: string;
  cwd?: string;
  /** The error pattern, a JavaScript regular expression; `problem` when rollback.yml's does not compile (the check then cannot run). */
  errors: { source: string; flags: string; problem?: string };
  /** The baseline: this long before the watch starts ({since} of its first run). */
  baselineMs: number;
  /** The watch window after the rollback, counted from the end of the rollback's changes. */
  watchMs: number;
  /** The check passes when the error rate after the rollback is below threshold × the baseline's rate. */
  threshold: number;
}

/**
 * The plan's log-watch steps: `start` (before the first change: the baseline is read and the
 * logs stream in the background from then on), `after` (the rollback's changes are done: the
 * watch window starts), and one `check` per service (the verdict, after the window).
 */
export type LogWatchStep =
  | { role: 'start'; services: LogWatchService[] }
  | { role: 'after'; services: string[] }
  | { role: 'check'; watch: LogWatchService };

export type LogPhase = 'baseline' | 'during' | 'after';

export interface PhaseCount {
  /** Lines that matched the error pattern. */
  errors: number;
  /** Every line read on the command's standard output. */
  lines: number;
  /** How long the phase covers: the baseline's nominal window, the rollback, the watch so far. */
  windowMs: number;
}

/** One bar of the live chart: the errors and lines that arrived in one bucket. */
export interface LogBucket {
  /** Epoch ms of the bucket's start. */
  at: number;
  phase: 'during' | 'after';
  errors: number;
  lines: number;
}

export type LogCheckStatus = 'passed' | 'failed' | 'could-not-run' | 'skipped';

/** What the checklist shows per service while the logs are watched, and after the verdict. */
export interface LogCounts {
  service: string;
  phase: LogPhase;
  /** follow: one command streams; poll: the command prints and exits, so it is run again for each window; starting: not known yet. */
  mode: 'starting' | 'follow' | 'poll';
  baseline: PhaseCount;
  during: PhaseCount;
  after: PhaseCount;
  series: LogBucket[];
  /** The last line that matched, cut to a few hundred characters. */
  lastError?: string;
  /** Why the watch is not reading right now (the command failed, the connection was lost). */
  problem?: string;
  /** Set with the verdict. */
  status?: LogCheckStatus;
  detail?: string;
  /** Epoch ms of this reading. */
  at: number;
}

/** The log check's result as the journal keeps it (JournalStep.logCheck), beside the step's outcome. */
export interface LogCheckRecord {
  service: string;
  status: LogCheckStatus;
  detail: string;
  baseline: PhaseCount;
  during: PhaseCount;
  after: PhaseCount;
  threshold: number;
  /** Errors per minute; undefined when the window is empty. */
  baselinePerMin?: number;
  afterPerMin?: number;
}

/** JournalStep.logWatch: on the start step, each service's baseline once counted (a resumed run compares with it); on a check, the verdict. */
export interface JournalLogWatch {
  baselines?: Record<string, PhaseCount>;
  check?: LogCheckRecord;
}
