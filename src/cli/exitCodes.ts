/**
 * The command line's exit codes (README, `rollback-pilot --help`). A CI job can tell "it ran
 * and failed" (1) from "nothing ran" (3) and from "it needs a person at a terminal" (4).
 */
export const EXIT = {
  /** Done: printed, or the rollback finished. */
  ok: 0,
  /** The rollback ran and did not finish (a step failed, it was stopped); analyze: a migration is destructive or unknown. */
  failed: 1,
  /** The command line is wrong (unknown command or option, a missing value). */
  usage: 2,
  /** Nothing ran: refused (rollback.yml errors, target unreadable, stale plan, digest mismatch, lock held) or cancelled. */
  refused: 3,
  /** A question had to be answered and stdin is not a terminal (the environment name before a destructive step is one). */
  needsTerminal: 4,
  /** Interrupted by Ctrl-C while nothing could be stopped cleanly (128 + SIGINT). */
  interrupted: 130,
} as const;

export const EXIT_HELP = `Exit codes:
  0    done (printed; the rollback finished; analyze: nothing destructive or unknown)
  1    the rollback ran and did not finish (see the journal; rollback-pilot resume continues);
       analyze: a migration is destructive or unknown
  2    usage error (unknown command or option, missing value)
  3    nothing ran: refused (rollback.yml errors, target unreadable, no target, stale plan,
       digest mismatch, lock held by another run) or cancelled at a question
  4    a question had to be answered and stdin is not a terminal (nothing ran, or the run
       stopped before the step that asked; the typed environment name is never skipped)
  130  interrupted (Ctrl-C) before anything could be stopped cleanly`;
