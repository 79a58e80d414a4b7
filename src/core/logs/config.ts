// `logs:` and `errors:` of a service: from rollback.yml to LogsConfig, and the checks JSON
// Schema cannot make (the pattern compiles, {since} stands where a quoted value is one word,
// the windows are usable), each located on the value it is about.
import { DURATION_PATTERN, parseDuration } from '../config/duration';
import type { RawLogs } from '../config/raw';
import type { LogsConfig, ServiceConfig } from '../config/types';
import { parseErrorPattern } from './pattern';
import { detectSinceFormat, LOGS_PLACEHOLDERS } from './since';
import { templateQuotingProblem } from '../config/templateQuoting';
import type { LogWatchService } from './types';

export const LOGS_DEFAULTS = { baselineMs: 5 * 60_000, watchMs: 2 * 60_000, threshold: 1 } as const;

/** A schema-valid `logs:` (and the service's `errors:`) with every default filled in. */
export function toLogsConfig(raw: string | RawLogs, errors: string | undefined): LogsConfig {
  const r: RawLogs = typeof raw === 'string' ? { command: raw } : raw;
  const ms = (d: RawLogs['baseline'], fallback: number): number => (d === undefined ? fallback : parseDuration(d) ?? fallback);
  const out: LogsConfig = {
    command: r.command,
    since: r.since ?? detectSinceFormat(r.command),
    baselineMs: ms(r.baseline, LOGS_DEFAULTS.baselineMs),
    watchMs: ms(r.watch, LOGS_DEFAULTS.watchMs),
    threshold: r.threshold ?? LOGS_DEFAULTS.threshold,
  };
  if (errors !== undefined) out.errors = errors;
  return out;
}

type Path = Array<string | number>;
export type LogsProblem = { path: Path; message: string; placeholderAt?: number };

/**
 * What is wrong with one service's `logs:`/`errors:` (unvalidated input: every access is
 * guarded, and what the schema reports is left to it). `placeholderAt` is the offset of the
 * offending {since} in the command, so the caller can point at it.
 */
export function logsProblems(name: string, svc: Record<string, unknown>): LogsProblem[] {
  const out: LogsProblem[] = [];
  const at = (...rest: Path): Path => ['services', name, ...rest];
  if (typeof svc.errors === 'string' && svc.errors !== '') {
    const p = parseErrorPattern(svc.errors);
    if ('problem' in p) out.push({ path: at('errors'), message: `services.${name}.errors: ${JSON.stringify(svc.errors)} cannot be used as the error pattern: ${p.problem}` });
  }
  if (svc.errors !== undefined && svc.logs === undefined) {
    out.push({ path: at('errors'), message: `services.${name}.errors is set but the service has no logs command to match it against; add logs: (e.g. docker compose logs --since {since} ${name})` });
  }
  const logs = svc.logs;
  const command = typeof logs === 'string' ? logs : typeof logs === 'object' && logs !== null && !Array.isArray(logs) ? (logs as Record<string, unknown>).command : undefined;
  const commandPath = typeof logs === 'string' ? at('logs') : at('logs', 'command');
  if (typeof command === 'string' && command !== '') {
    const quoting = templateQuotingProblem(command, LOGS_PLACEHOLDERS);
    if (quoting) out.push({ path: commandPath, message: `${commandPath.join('.')}: ${quoting}`, placeholderAt: command.indexOf('{since}') });
    const other = /\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(command.replace(/\{since\}/g, ''));
    if (other) out.push({ path: commandPath, message: `${commandPath.join('.')}: {${other[1]}} is not filled in here; a logs command takes only {since} (the start of the window it reads)`, placeholderAt: command.indexOf(other[0]) });
  }
  if (typeof logs === 'object' && logs !== null && !Array.isArray(logs)) {
    for (const key of ['baseline', 'watch'] as const) {
      const v = (logs as Record<string, unknown>)[key];
      // A spelling the schema refuses is its message; what is left is a value that cannot be used.
      if (!(typeof v === 'string' ? DURATION_PATTERN.test(v) : typeof v === 'number' && v >= 0)) continue;
      const parsed = parseDuration(v as string | number);
      if (parsed === undefined) out.push({ path: at('logs', key), message: `services.${name}.logs.${key}: ${JSON.stringify(v)} is too large a duration; write e.g. ${key === 'baseline' ? '5m' : '2m'}` });
      else if (key === 'baseline' && parsed === 0) out.push({ path: at('logs', key), message: `services.${name}.logs.baseline must be more than 0 (e.g. 5m): the error rate after the rollback is compared with the rate in it` });
    }
  }
  return out;
}

/** The plan's view of one service's log watch: what runs where, with the pattern already checked. */
export function logWatchOf(svc: ServiceConfig, where: string, cwd: string | undefined): LogWatchService | undefined {
  if (!svc.logs) return undefined;
  const p = parseErrorPattern(svc.logs.errors);
  // A pattern Problems already names goes into the plan with its problem: the check then says it could not run, never that it passed.
  const errors = 'problem' in p ? { source: svc.logs.errors ?? '', flags: '', problem: `services.${svc.name}.errors ${JSON.stringify(svc.logs.errors)}: ${p.problem}` } : p;
  return {
    service: svc.name,
    command: svc.logs.command,
    since: svc.logs.since,
    where,
    ...(cwd !== undefined ? { cwd } : {}),
    errors,
    baselineMs: svc.logs.baselineMs,
    watchMs: svc.logs.watchMs,
    threshold: svc.logs.threshold,
  };
}
