// Checks that need more than JSON Schema: hosts that reach ssh, globs, paths that must stay
// in the repository, URLs, and durations that match the grammar but cannot be used.
// Runs on the unvalidated value, so it guards every access and skips what the schema reports.
import type { ConfigDiagnostic, Severity } from './types';
import type { PathSegment, Target, YamlLocator } from './locate';
import { DURATION_PATTERN, parseDuration } from './duration';
import { durationMessage } from './schemaErrors';
import { isRecord } from './raw';
import { globProblem, repoPathProblem, sshDestinationProblem, tagPatternProblem } from './values';
import { describeValue, humanPath } from './wording';
import { fleetDiagnostics, withoutHostVars } from './fleetSemantic';
import { logsDiagnostics } from './logsDiagnostics';
import { verificationDiagnostics } from './verificationSemantic';
import { placeholderOffsetInSource } from './placeholderSource';
import { placeholderTemplates, quotedPlaceholders, templateQuotingProblem } from './templateQuoting';
import { isHttpUrl } from './httpUrl';
import { offsetOf } from './locate';

export function semanticDiagnostics(raw: Record<string, unknown>, locator: YamlLocator, text?: string): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const report = (severity: Severity, path: PathSegment[], message: string, target: Target = 'value') =>
    out.push({ severity, message, path: humanPath(path), ...locator.locate(path, target) });
  const durations: { path: PathSegment[]; value: unknown }[] = [];

  const releases = raw.releases;
  if (isRecord(releases) && typeof releases.tags === 'string') {
    const problem = tagPatternProblem(releases.tags);
    if (problem) report('error', ['releases', 'tags'], `releases.tags: ${describeValue(releases.tags)} is not a usable tag pattern: ${problem}`);
  }

  for (const [name, env] of entries(raw.environments)) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['environments', name, ...rest];
    if (typeof env.host === 'string' && env.host !== '') {
      const problem = sshDestinationProblem(env.host);
      if (problem) {
        report('error', at('host'), `${humanPath(at('host'))}: ${describeValue(env.host)} is not "local" or an SSH destination (user@host, host, host:port or a ~/.ssh/config alias): ${problem}`);
      }
    }
    strings(env.configFiles).forEach(([i, file]) => {
      const problem = repoPathProblem(file);
      if (problem) report('error', at('configFiles', i), `${humanPath(at('configFiles', i))}: ${describeValue(file)} cannot be restored from the release: ${problem}`);
    });
    durations.push({ path: at('commandTimeout'), value: env.commandTimeout });
    fleetDiagnostics(name, env, raw.services, report);
    if (isRecord(env.rollout)) durations.push({ path: at('rollout', 'pause'), value: env.rollout.pause });
  }

  const serviceImages = entries(raw.services).some(([, s]) => typeof s.image === 'string');
  for (const [name, env] of entries(raw.environments)) {
    if (env.strategy === 'image' && !serviceImages) {
      report('warning', ['environments', name, 'strategy'], `environments.${name}.strategy is "image" but no service has an "image" to redeploy`);
    }
  }

  for (const [name, svc] of entries(raw.services)) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['services', name, ...rest];
    strings(svc.paths).forEach(([i, glob]) => {
      const problem = globProblem(glob);
      if (problem) report('error', at('paths', i), `${humanPath(at('paths', i))}: ${describeValue(glob)} is not a usable glob: ${problem}`);
    });
    out.push(...logsDiagnostics(name, svc, locator, text));
    const health = svc.health;
    if (isRecord(health)) {
      if (typeof health.url === 'string' && health.url !== '' && !isHttpUrl(withoutHostVars(health.url))) {
        report('error', at('health', 'url'), `${humanPath(at('health', 'url'))}: ${describeValue(health.url)} is not an http:// or https:// URL`);
      }
      for (const key of ['warmup', 'timeout', 'interval']) durations.push({ path: at('health', key), value: health[key] });
      if (isDurationSpelling(health.interval) && parseDuration(health.interval) === 0) {
        report('error', at('health', 'interval'), `${humanPath(at('health', 'interval'))} must be more than 0, e.g. 1s`);
      }
    }
  }

  verificationDiagnostics(raw.services, report, (path, value) => durations.push({ path, value }));

  const migrations = raw.migrations;
  if (isRecord(migrations) && typeof migrations.dir === 'string' && migrations.dir !== '') {
    const problem = repoPathProblem(migrations.dir);
    if (problem) report('error', ['migrations', 'dir'], `migrations.dir: ${describeValue(migrations.dir)} must be a folder inside the repository: ${problem}`);
  }

  if (isRecord(migrations) && typeof migrations.preview === 'string' && /\balembic\b.*\bdowngrade\s+-\d+\b.*--sql\b/.test(migrations.preview)) {
    // Offline mode never reads the database, so it cannot tell what "-1" is relative to.
    // A warning, not an error: an error would block every rollback until the file is fixed, mid-incident.
    report(
      'warning',
      ['migrations', 'preview'],
      `migrations.preview: Alembic refuses a relative revision with --sql ("downgrade with --sql requires <fromrev>:<torev>"); write "alembic downgrade {id}:{previous} --sql", filled in per migration`,
    );
  }
  // A placeholder inside quotes would let a migration id or file name run as shell code: an error, at the placeholder.
  for (const t of placeholderTemplates(raw)) {
    const problem = templateQuotingProblem(t.template, t.names);
    if (!problem) continue;
    const first = quotedPlaceholders(t.template, t.names)[0];
    const value = locator.locate(t.path, 'value');
    const start = text === undefined ? undefined : offsetOf(text, value.line, value.column);
    const end = text === undefined ? undefined : offsetOf(text, value.endLine, value.endColumn);
    const at = start !== undefined && end !== undefined ? placeholderOffsetInSource(t.template, first.offset, first.placeholder, text!.slice(start, end), start) : undefined;
    const range = at === undefined ? value : locator.rangeOf(at, at + first.placeholder.length);
    out.push({ severity: 'error', message: `${humanPath(t.path)}: ${problem}`, path: humanPath(t.path), ...range });
  }
  if (isRecord(migrations) && isRecord(migrations.backup)) durations.push({ path: ['migrations', 'backup', 'maxAge'], value: migrations.backup.maxAge });
  if (isRecord(migrations)) durations.push({ path: ['migrations', 'statusTimeout'], value: migrations.statusTimeout });
  if (isRecord(migrations) && isRecord(migrations.scratch)) durations.push({ path: ['migrations', 'scratch', 'ready'], value: migrations.scratch.ready });

  const notify = raw.notify;
  if (isRecord(notify) && Array.isArray(notify.escalateAt)) {
    notify.escalateAt.forEach((value, i) => durations.push({ path: ['notify', 'escalateAt', i], value }));
  }

  // The schema's pattern has already judged the spelling; what is left is a value too large to use.
  for (const d of durations) {
    if (isDurationSpelling(d.value) && parseDuration(d.value) === undefined) {
      report('error', d.path, `${durationMessage(d.path, d.value)} (this one is too large)`);
    }
  }
  return out;
}

function isDurationSpelling(v: unknown): v is string | number {
  return typeof v === 'string' ? DURATION_PATTERN.test(v) : typeof v === 'number' && v >= 0;
}

function entries(map: unknown): [string, Record<string, unknown>][] {
  if (!isRecord(map)) return [];
  return Object.entries(map).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]));
}

function strings(list: unknown): [number, string][] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((v, i): [number, string][] => (typeof v === 'string' && v !== '' ? [[i, v]] : []));
}
