// rollback-pilot: the command line beside the extension. This file parses the command line and
// dispatches; the services are built in services.ts (the composition root), the flows are the
// application layer's (src/app), the questions and output are the terminal's.
import { isatty } from 'node:tty';
import { parseArgs, optionsHelp, stringOption, UsageError, type OptionSpec } from './args';
import type { CliCommand, CliContext } from './command';
import { analyzeCommand } from './commands/analyze';
import { causeOption, remedyOption } from './commands/decisionFlags';
import { planCommand, undoOption } from './commands/plan';
import { releasesCommand } from './commands/releases';
import { resumeCommand } from './commands/resume';
import { runCommand } from './commands/run';
import { snapshotCommand } from './commands/snapshot';
import { statusCommand } from './commands/status';
import { EXIT, EXIT_HELP } from './exitCodes';
import { buildServices, NotARepositoryError, type CliServices, type GlobalOptions } from './services';
import { NeedsTerminalError, Terminal, type TerminalIo } from './terminal';
import { PlanFileError } from '../app/planFile';

declare const ROLLBACK_PILOT_VERSION: string | undefined;

export const COMMANDS: CliCommand[] = [statusCommand, releasesCommand, planCommand, runCommand, resumeCommand, analyzeCommand, snapshotCommand];

const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'repo', short: 'C', value: 'DIR', help: 'the repository (default: the one the current directory is in)' },
  { name: 'known-hosts', value: 'FILE', help: 'known_hosts for SSH host keys (default ~/.ssh/known_hosts; the extension: rollbackPilot.ssh.knownHostsFile)' },
  { name: 'ssh-config', value: 'FILE', help: 'OpenSSH client config for host aliases (default ~/.ssh/config)' },
  { name: 'connect-timeout', value: 'SECONDS', help: 'SSH connection timeout (default 20)' },
  { name: 'records', value: 'FILE', help: 'the records file, relative to the repository (default .rollback/records.json)' },
  { name: 'no-color', help: 'no colour (also: NO_COLOR set, or output not a terminal)' },
  { name: 'verbose', short: 'v', help: 'log lines (git, SSH, timings) on stderr' },
  { name: 'help', short: 'h', help: 'this help' },
];

function version(): string {
  return typeof ROLLBACK_PILOT_VERSION === 'string' ? ROLLBACK_PILOT_VERSION : 'development';
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `rollback-pilot ${version()}: plan and run production rollbacks from a terminal or a CI job,
with the same plan, preview, journal and lock as the Rollback Pilot extension for VS Code.

Usage: rollback-pilot [options] <command> [command options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options (before or after the command):
${optionsHelp([...GLOBAL_OPTIONS, { name: 'version', help: 'print the version' }])}

rollback-pilot <command> --help says more about each command.

Environment:
  ROLLBACK_PILOT_WEBHOOK_URL    the team's chat webhook for the plan's notify steps (rollback.yml
                                notify.webhook: true); without it each message is printed to paste
  ROLLBACK_PILOT_COMPILE_CACHE  0: no code cache (kept in XDG_CACHE_HOME or ~/.cache/rollback-pilot)
  ROLLBACK_PILOT_TAG_CACHE      0: no tag cache (what each tag's object reads as, kept there too)
  NO_COLOR                      no colour

${EXIT_HELP}
`;
}

export function commandHelp(c: CliCommand): string {
  return `Usage: rollback-pilot ${c.name} ${c.usage}

${c.summary[0].toUpperCase()}${c.summary.slice(1)}.

${c.description}

Options:
${optionsHelp([...c.options, { name: 'help', short: 'h', help: 'this help' }])}

Global options (rollback-pilot --help): --repo DIR, --known-hosts FILE, --ssh-config FILE, --connect-timeout SECONDS, --records FILE, --no-color, --verbose

${EXIT_HELP}
`;
}

function globalOptions(options: Record<string, string | true | undefined>, commandOptions: Record<string, string | true | undefined>): GlobalOptions {
  const all = { ...options, ...commandOptions };
  const timeout = stringOption(all, 'connect-timeout');
  const seconds = timeout === undefined ? 20 : Number(timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 300) throw new UsageError(`--connect-timeout ${timeout}: seconds between 1 and 300`);
  return {
    repo: stringOption(all, 'repo'),
    recordsFile: stringOption(all, 'records'),
    ssh: { knownHostsFile: stringOption(all, 'known-hosts'), sshConfigFile: stringOption(all, 'ssh-config'), connectTimeoutMs: seconds * 1000 },
    verbose: all.verbose === true,
    colour: all['no-color'] !== true,
    yes: all.yes === true,
    undo: undoOption(all),
    cause: causeOption(all),
    remedy: remedyOption(all),
    showDiff: all.diff === true,
  };
}

/**
 * The operator is the git identity of the repository (its config, then the global one), as in
 * the extension: read before any command records who ran it (journals, locks, bad marks). A
 * command that records nothing itself (`readsOperatorAlongside`) goes on meanwhile.
 */
async function withOperator(services: CliServices, command: CliCommand): Promise<CliServices> {
  if (!command.readsOperatorAlongside) await services.operatorRead;
  return services;
}

/** Runs one command line and returns its exit code; output goes to `io`. */
export async function main(argv: string[], io: TerminalIo): Promise<number> {
  // The global options come first; the first word that is not one is the command.
  let i = 0;
  const globalArgv: string[] = [];
  while (i < argv.length && argv[i].startsWith('-')) {
    const spec = GLOBAL_OPTIONS.find((s) => `--${s.name}` === argv[i].split('=')[0] || (s.short && `-${s.short}` === argv[i]));
    globalArgv.push(argv[i]);
    if (spec?.value && !argv[i].includes('=')) globalArgv.push(argv[++i]);
    i++;
  }
  const early = new Terminal(io, { colour: !argv.includes('--no-color') });
  let term = early;
  let services: CliServices | undefined;
  try {
    if (argv.includes('--version')) {
      early.out(version());
      return EXIT.ok;
    }
    const pre = parseArgs(globalArgv, GLOBAL_OPTIONS, 'rollback-pilot');
    const name = argv[i];
    const rest = argv.slice(i + 1);
    if (name === undefined || name === 'help') {
      const which = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      early.out(which ? commandHelp(which) : mainHelp());
      return name === undefined && !pre.options.help ? EXIT.usage : EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`rollback-pilot: no command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    const parsed = parseArgs(rest, [...command.options, ...GLOBAL_OPTIONS], `rollback-pilot ${command.name}`);
    if (parsed.options.help || pre.options.help) {
      early.out(commandHelp(command));
      return EXIT.ok;
    }
    const global = globalOptions(pre.options, parsed.options);
    early.close();
    term = new Terminal(io, { colour: global.colour });
    const t = term;
    const ctx: CliContext = {
      term: t,
      global,
      services: async () => (services ??= await withOperator(await buildServices(global, t), command)),
    };
    return await command.run(ctx, parsed.options, parsed.positionals);
  } catch (e) {
    const redact = (text: string): string => services?.redactor.redact(text) ?? text;
    if (e instanceof UsageError) {
      term.err(term.style(`${e.message}`, 'red'));
      term.err('See rollback-pilot --help.');
      return EXIT.usage;
    }
    if (e instanceof NeedsTerminalError) {
      term.err(term.style(`Refused: ${redact(e.message)}`, 'red'));
      term.err('Nothing ran.');
      return EXIT.needsTerminal;
    }
    if (e instanceof NotARepositoryError || e instanceof PlanFileError) {
      term.err(term.style(`Error: ${e.message}`, 'red'));
      return EXIT.refused;
    }
    term.err(term.style(`Error: ${redact((e as Error).message ?? String(e))}`, 'red'));
    if (process.env.ROLLBACK_PILOT_DEBUG) term.err(redact((e as Error).stack ?? ''));
    return EXIT.refused;
  } finally {
    await services?.dispose().catch(() => undefined);
    term.close();
    early.close();
  }
}

/** The process entry (dist/cli.js): exit with the command's code once stdout and stderr are flushed. */
export async function cli(): Promise<void> {
  // stdin is opened only when a question is read from it.
  const io: TerminalIo = { get stdin() { return process.stdin; }, stdinIsTTY: isatty(0), stdout: process.stdout, stderr: process.stderr, env: process.env };
  const code = await main(process.argv.slice(2), io);
  // Open SSH sockets or timers of a finished run must not keep the process alive; the output must all get out first.
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  process.exit(code);
}

if (require.main === module) void cli();
