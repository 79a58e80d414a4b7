import type { OptionSpec, ParsedOptions } from './args';
import type { CliServices, GlobalOptions } from './services';
import type { Terminal } from './terminal';

/** What a command gets: the terminal, the global options, and the services (built on first use: `--help` builds nothing). */
export interface CliContext {
  term: Terminal;
  global: GlobalOptions;
  services(): Promise<CliServices>;
}

/** One `rollback-pilot <name>` command: its help, its options, and what it does (returns the exit code). */
export interface CliCommand {
  name: string;
  /** `[--env E] [--json]`: what follows the name in the usage line. */
  usage: string;
  summary: string;
  /** The help's body: what it does, how it decides, an example. */
  description: string;
  options: OptionSpec[];
  /**
   * It records nothing under the operator's name itself (journals, locks, marks), so it need
   * not wait for the git identity before its first reads; what it shows that names the
   * operator (a plan's createdBy) comes from planning, which waits for it.
   */
  readsOperatorAlongside?: true;
  run(ctx: CliContext, options: ParsedOptions, positionals: string[]): Promise<number>;
}
