import type { Cause, ConfigRemedy } from '../../core/decision/tree';
import { stringOption, UsageError, type OptionSpec, type ParsedOptions } from '../args';
import { CAUSE_FLAG } from '../terminalPrompter';

/** The runbooks' decision tree as flags, for `run` without a terminal (on one, each is asked when absent). */
export const DECISION_OPTIONS: OptionSpec[] = [
  {
    name: 'cause',
    value: CAUSE_FLAG,
    help: 'what changed, and with it the decision to roll back: code (git rollback), database (the migrations first, undone or restored), config (restore the config files and recreate, or restart), unknown (the full rollback); asked when absent',
  },
  { name: 'remedy', value: 'restore|restart', help: 'with --cause config: restore the config files and recreate the services, or restart them as they are; asked when absent' },
];

const CAUSES: Record<string, Cause> = { code: 'code', database: 'database', config: 'configuration', configuration: 'configuration', unknown: 'unknown' };

export function causeOption(options: ParsedOptions): Cause | undefined {
  const v = stringOption(options, 'cause');
  if (v === undefined) return undefined;
  const cause = CAUSES[v];
  if (!cause) throw new UsageError(`--cause ${v}: use one of ${CAUSE_FLAG}`);
  return cause;
}

export function remedyOption(options: ParsedOptions): ConfigRemedy | undefined {
  const v = stringOption(options, 'remedy');
  if (v === undefined) return undefined;
  if (v !== 'restore' && v !== 'restart') throw new UsageError(`--remedy ${v}: use restore or restart`);
  if (causeOption(options) !== 'configuration') throw new UsageError('--remedy goes with --cause config (it says how to undo a configuration change)');
  return v;
}
