// The checks JSON Schema cannot make on health checks and smoke flows: JSON paths that do
// not parse, placeholders no earlier step captures, smoke URLs that are not http(s) URLs,
// secret references that cannot name a secret, header values that would smuggle in a second
// header, a probe timeout of 0. Each message names the key and sits on the offending value.
import type { PathSegment, Target } from './locate';
import type { Severity } from './types';
import { isRecord } from './raw';
import { describeValue, humanPath } from './wording';
import { DURATION_PATTERN, parseDuration } from './duration';
import { parseJsonPath } from '../verification/jsonPath';
import { FLOW_PLACEHOLDERS, PLAN_PLACEHOLDERS, placeholdersIn, SECRET_REF, stringLeaves } from '../verification/templates';
import { isHttpUrl } from './httpUrl';

type Report = (severity: Severity, path: PathSegment[], message: string, target?: Target) => void;

export function verificationDiagnostics(services: unknown, report: Report, duration: (path: PathSegment[], value: unknown) => void): void {
  if (!isRecord(services)) return;
  for (const [name, svc] of Object.entries(services)) {
    if (!isRecord(svc)) continue;
    const at = (...rest: PathSegment[]): PathSegment[] => ['services', name, ...rest];
    if (isRecord(svc.health)) healthChecks(svc.health, at, report, duration);
    if (Array.isArray(svc.smoke)) smokeChecks(svc.smoke, at, report, duration);
  }
}

function healthChecks(h: Record<string, unknown>, at: (...rest: PathSegment[]) => PathSegment[], report: Report, duration: (path: PathSegment[], value: unknown) => void): void {
  duration(at('health', 'probeTimeout'), h.probeTimeout);
  if (isDurationSpelling(h.probeTimeout) && parseDuration(h.probeTimeout) === 0) {
    report('error', at('health', 'probeTimeout'), `${humanPath(at('health', 'probeTimeout'))} must be more than 0, e.g. 5s`);
  }
  const known = new Set<string>(PLAN_PLACEHOLDERS);
  const where = 'a health check';
  headerChecks(h.headers, at('health', 'headers'), known, where, report);
  jsonExpectationChecks(h.json, at('health', 'json'), known, where, report);
}

function smokeChecks(list: unknown[], at: (...rest: PathSegment[]) => PathSegment[], report: Report, duration: (path: PathSegment[], value: unknown) => void): void {
  // What each step may read: the run's own values, then whatever the steps before it captured.
  const known = new Set<string>(FLOW_PLACEHOLDERS);
  list.forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const step = (...rest: PathSegment[]): PathSegment[] => at('smoke', i, ...rest);
    const where = `smoke step ${i + 1}${typeof entry.name === 'string' ? ` (${entry.name})` : ''}`;
    duration(step('timeout'), entry.timeout);
    if (typeof entry.url === 'string' && entry.url !== '') {
      placeholderCheck(entry.url, step('url'), known, where, report);
      const sample = entry.url.replace(/\{[A-Za-z_][A-Za-z0-9_]*\}/g, 'x');
      if (!isHttpUrl(sample)) report('error', step('url'), `${humanPath(step('url'))}: ${describeValue(entry.url)} is not an http:// or https:// URL`);
    }
    headerChecks(entry.headers, step('headers'), known, where, report);
    for (const leaf of stringLeaves(entry.body)) {
      const path = step('body', ...leaf.path);
      if (leaf.text.startsWith('secret:')) secretRefCheck(leaf.text, path, report);
      else placeholderCheck(leaf.text, path, known, where, report);
    }
    if (isRecord(entry.expect)) {
      jsonExpectationChecks(entry.expect.json, step('expect', 'json'), known, where, report);
      if (typeof entry.expect.contains === 'string') placeholderCheck(entry.expect.contains, step('expect', 'contains'), known, where, report);
    }
    if (isRecord(entry.capture)) {
      for (const [key, path] of Object.entries(entry.capture)) {
        if ((FLOW_PLACEHOLDERS as readonly string[]).includes(key)) {
          report('error', step('capture', key), `${humanPath(step('capture', key))}: "${key}" is filled by the run itself ({${key}}); capture under another name`, 'key');
        }
        if (typeof path === 'string') {
          const parsed = parseJsonPath(path);
          if ('error' in parsed) report('error', step('capture', key), `${humanPath(step('capture', key))}: ${describeValue(path)} is not a JSON path: ${parsed.error}; write e.g. $.token or $.data.items[0].id`);
        }
      }
      for (const key of Object.keys(entry.capture)) known.add(key);
    }
  });
}

function headerChecks(headers: unknown, path: PathSegment[], known: ReadonlySet<string>, where: string, report: Report): void {
  if (!isRecord(headers)) return;
  for (const [header, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    const p = [...path, header];
    if (/[\r\n]/.test(value)) report('error', p, `${humanPath(p)}: the value contains a line break, which would start another header`);
    if (value.startsWith('secret:')) secretRefCheck(value, p, report);
    else placeholderCheck(value, p, known, where, report);
  }
}

function secretRefCheck(value: string, path: PathSegment[], report: Report): void {
  if (SECRET_REF.test(value)) return;
  report('error', path, `${humanPath(path)}: ${describeValue(value)} does not name a secret; write secret:NAME, NAME a letter then letters, digits, ".", "_" or "-" (set its value with Rollback: Set Health Check Secret…)`);
}

function jsonExpectationChecks(json: unknown, path: PathSegment[], known: ReadonlySet<string>, where: string, report: Report): void {
  if (!isRecord(json)) return;
  for (const [key, expected] of Object.entries(json)) {
    const parsed = parseJsonPath(key);
    if ('error' in parsed) report('error', [...path, key], `${humanPath(path)}: ${describeValue(key)} is not a JSON path: ${parsed.error}; write e.g. version, $.version or $.data.items[0].id`, 'key');
    if (typeof expected === 'string') placeholderCheck(expected, [...path, key], known, where, report);
    else if (typeof expected === 'object' && expected !== null) report('error', [...path, key], `${humanPath([...path, key])}: expect a single value (a string, number, true/false or null), not ${describeValue(expected)}; point the path at one field`);
  }
}

function placeholderCheck(text: string, path: PathSegment[], known: ReadonlySet<string>, where: string, report: Report): void {
  for (const name of placeholdersIn(text)) {
    if (known.has(name)) continue;
    const own = [...known].filter((k) => !(FLOW_PLACEHOLDERS as readonly string[]).includes(k));
    const builtins = [...known].filter((k) => (FLOW_PLACEHOLDERS as readonly string[]).includes(k)).map((k) => `{${k}}`).join(', ');
    const captured = own.length ? `; captured before it: ${own.map((k) => `{${k}}`).join(', ')}` : '';
    report('error', path, `${humanPath(path)}: {${name}} has no value in ${where}: it is not captured by an earlier smoke step (capture: { ${name}: "$.…" }) and not one of ${builtins}${captured}`);
  }
}

function isDurationSpelling(v: unknown): v is string | number {
  return typeof v === 'string' ? DURATION_PATTERN.test(v) : typeof v === 'number' && v >= 0;
}
