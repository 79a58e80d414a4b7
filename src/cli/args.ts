/** A command line option: `--name VALUE` when it has a value, a switch otherwise. */
export interface OptionSpec {
  name: string;
  short?: string;
  /** The value's placeholder in the help (`--env E`); absent for a switch. */
  value?: string;
  help: string;
}

export type ParsedOptions = Record<string, string | true | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Splits argv into options and positionals. `--name=value` and `--name value` both work;
 * `--` ends the options. An unknown option is a usage error naming it (and the closest known one).
 */
export function parseArgs(argv: string[], specs: OptionSpec[], where: string): { options: ParsedOptions; positionals: string[]; rest: string[] } {
  const options: ParsedOptions = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = specs.find((s) => `--${s.name}` === key || (s.short && `-${s.short}` === key));
    if (!spec) {
      const known = specs.map((s) => `--${s.name}`);
      const near = known.find((k) => k.startsWith(key.slice(0, 4)));
      throw new UsageError(`${where}: unknown option ${key}${near ? ` (did you mean ${near}?)` : ''}; ${known.length ? `known: ${known.join(', ')}` : 'it takes no options'}`);
    }
    if (!spec.value) {
      if (eq > 0) throw new UsageError(`${where}: --${spec.name} takes no value`);
      options[spec.name] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('-') && value.length > 1)) throw new UsageError(`${where}: --${spec.name} needs a value (${spec.value})`);
    options[spec.name] = value;
  }
  return { options, positionals, rest: [] };
}

/** The options part of a help text, aligned. */
export function optionsHelp(specs: OptionSpec[]): string {
  const left = specs.map((s) => `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.value ? ` ${s.value}` : ''}`);
  const width = Math.max(0, ...left.map((l) => l.length)) + 2;
  return specs.map((s, i) => `  ${left[i].padEnd(width)}${s.help}`).join('\n');
}

export function stringOption(options: ParsedOptions, name: string): string | undefined {
  const v = options[name];
  return typeof v === 'string' ? v : undefined;
}
