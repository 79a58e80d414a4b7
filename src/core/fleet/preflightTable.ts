// The fleet preview's preflight (issue 15, follow-up item 1): what every host's own preflight
// script found, read before the operator confirms, as one host × check table. The script is
// the one the run's first step runs (core/plan/preflight.ts); it stops at its first refusal,
// so the check it refused names the column, the checks before it passed and the ones after
// it were not reached. The lock is read beside it on the same connection. A host failing a
// fatal check stops the rollout before it starts; the current health is only reported.
import type { ExecResult } from '../ports';
import { PREFLIGHT_REPORT } from '../plan/preflight';
import type { PlanStep, ReleaseRef } from '../plan/types';

export type FleetCheckId = 'reach' | 'repo' | 'target' | 'head' | 'identity' | 'lock' | 'health';

/** In the order the script checks them (reach first: nothing else is asked of a host that cannot be reached). */
const SCRIPT_ORDER: FleetCheckId[] = ['repo', 'target', 'head', 'identity'];

export type CheckState = 'pass' | 'fail' | 'not-reached' | 'n/a' | 'reported';

export interface CheckCell {
  state: CheckState;
  /** Why it failed, or what was reported. */
  detail?: string;
}

export interface HostPreflight {
  host: string;
  destination: string;
  cells: Record<FleetCheckId, CheckCell>;
  /** A refusal the script gave that names none of the known checks: the host fails "the preflight" with it. */
  other?: string;
}

/** What the app layer read on one host over its one connection. */
export interface HostReading {
  host: string;
  destination: string;
  /** The host's working tree: its script names the place as destination:path. */
  path: string;
  /** The connection could not be made or the host key was refused: nothing else was asked. */
  unreachable?: string;
  /** The preflight script's run (absent when unreachable). */
  script?: Pick<ExecResult, 'code' | 'stdout' | 'stderr' | 'lost' | 'timedOut'>;
  /** The lock as read: undefined when free, a holder's text when held, `unreadable` when it could not be read. */
  lock?: { held?: string; unreadable?: string };
}

export function checkTitles(from: ReleaseRef, to: ReleaseRef): Record<FleetCheckId, string> {
  return {
    reach: 'Reachable, host key verified',
    repo: 'Path is the repository',
    target: `Has ${to.name}'s commit`,
    head: `HEAD is ${from.name}`,
    identity: 'Git can commit',
    lock: 'Lock free',
    health: 'Health now (reported)',
  };
}

const HEALTH_LINE = / answers |is already down|current health not checked/;

/** Which check a refusal line is, by how the script's own messages begin (the place first, so a path cannot fake one). */
export function refusedCheck(line: string, place: string): FleetCheckId | undefined {
  if (line.startsWith(`${place} does not exist`) || line === `cannot enter ${place}`) return 'repo';
  if (line.startsWith(`${place} is owned by another user`) || line.startsWith(`${place} is not a git work tree`) || line.startsWith(`${place} is inside the git work tree`)) return 'repo';
  if (line.startsWith(`${place} has no commit `)) return 'target';
  if (line.startsWith(`${place}: the target is at `)) return 'head';
  if (line.startsWith(`git cannot commit in ${place} `)) return 'identity';
  return undefined;
}

/** One host's row from what was read there. */
export function hostPreflight(reading: HostReading, step: PlanStep | undefined): HostPreflight {
  const cells = {} as Record<FleetCheckId, CheckCell>;
  const text = step?.commands.map((c) => c.command).join('\n') ?? '';
  const applies: Record<FleetCheckId, boolean> = {
    reach: true,
    repo: /--is-inside-work-tree/.test(text) || /\[ -d "\$p" \]/.test(text),
    target: /git cat-file -e /.test(text),
    head: /head=\$\(git rev-parse HEAD\)/.test(text),
    identity: /var GIT_COMMITTER_IDENT/.test(text),
    lock: true,
    health: HEALTH_LINE.test(text) || /RP_CODE=/.test(text),
  };
  const row: HostPreflight = { host: reading.host, destination: reading.destination, cells };
  const na = (id: FleetCheckId): CheckCell | undefined => (applies[id] ? undefined : { state: 'n/a' });
  if (reading.unreachable || !reading.script) {
    cells.reach = { state: 'fail', detail: reading.unreachable ?? 'not asked' };
    for (const id of [...SCRIPT_ORDER, 'lock', 'health'] as FleetCheckId[]) cells[id] = na(id) ?? { state: 'not-reached' };
    return row;
  }
  const r = reading.script;
  if (r.lost || r.timedOut || r.code === null) {
    cells.reach = { state: 'fail', detail: r.lost ? `the connection to ${reading.destination} was lost during the preflight` : `no answer from ${reading.destination} within 30 s` };
    for (const id of [...SCRIPT_ORDER, 'health'] as FleetCheckId[]) cells[id] = na(id) ?? { state: 'not-reached' };
  } else {
    cells.reach = { state: 'pass' };
    const place = `${reading.destination}:${reading.path}`;
    const refusal = r.code === 0 ? undefined : lastLine(r.stderr) || lastLine(r.stdout) || `exit ${r.code}`;
    const failed = refusal ? refusedCheck(refusal, place) : undefined;
    // A refusal that names none of these checks (the backup's, or one this table does not know): where the script stopped is not known.
    if (refusal && !failed) row.other = refusal;
    let before = true;
    for (const id of SCRIPT_ORDER) {
      if (!applies[id]) cells[id] = { state: 'n/a' };
      else if (refusal && !failed) cells[id] = { state: 'not-reached' };
      else if (id === failed) {
        cells[id] = { state: 'fail', detail: refusal };
        before = false;
      } else cells[id] = before ? { state: 'pass' } : { state: 'not-reached' };
    }
    const health = r.stdout.split('\n').filter((l) => l.startsWith(PREFLIGHT_REPORT)).map((l) => l.slice(PREFLIGHT_REPORT.length).trim()).filter((l) => HEALTH_LINE.test(l));
    cells.health = !applies.health ? { state: 'n/a' } : health.length ? { state: 'reported', detail: health.join('; ') } : { state: 'not-reached' };
  }
  cells.lock = reading.lock?.held ? { state: 'fail', detail: reading.lock.held } : reading.lock?.unreadable ? { state: 'not-reached', detail: reading.lock.unreadable } : reading.lock ? { state: 'pass' } : { state: 'not-reached' };
  return row;
}

function lastLine(text: string): string {
  return text.trim().split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';
}

/** Every fatal check a host failed, as "host: check — why". Empty: the rollout may start. */
export function preflightFailures(rows: HostPreflight[], titles: Record<FleetCheckId, string>): string[] {
  const out: string[] = [];
  for (const row of rows) {
    for (const id of Object.keys(titles) as FleetCheckId[]) {
      const c = row.cells[id];
      if (c?.state === 'fail') out.push(`${row.host}: "${titles[id]}" fails — ${c.detail ?? 'failed'}`);
    }
    if (row.other) out.push(`${row.host}: "the preflight" fails — ${row.other}`);
  }
  return out;
}

/** "web-03 fails \"HEAD is v1.4.0\"" per host, without the why: the banner above the table. */
function failedChecks(rows: HostPreflight[], titles: Record<FleetCheckId, string>): string[] {
  return rows.flatMap((row) => {
    const ids = (Object.keys(titles) as FleetCheckId[]).filter((id) => row.cells[id]?.state === 'fail').map((id) => `"${titles[id]}"`);
    if (row.other) ids.push('"the preflight"');
    return ids.length ? [`${cellSafe(row.host)} fails ${ids.join(', ')}`] : [];
  });
}

/** The refusal said before anything starts, naming each host and check; undefined when every host passed. */
export function preflightRefusal(environment: string, rows: HostPreflight[], titles: Record<FleetCheckId, string>): string | undefined {
  const fails = preflightFailures(rows, titles);
  if (fails.length === 0) return undefined;
  const hosts = new Set(fails.map((f) => f.slice(0, f.indexOf(': "'))));
  return `Nothing ran on ${environment}: the preflight refused on ${hosts.size} of ${rows.length} hosts — ${fails.join('; ')}. Fix it there and plan again.`;
}

const MARK: Record<CheckState, string> = { pass: '✅', fail: '⛔', 'not-reached': '·', 'n/a': '–', reported: '' };

function cellText(c: CheckCell, id: FleetCheckId): string {
  if (id === 'health' && c.state === 'reported') return `${/already down|not checked/.test(c.detail ?? '') ? '⚠️ ' : ''}${c.detail ?? ''}`;
  return MARK[c.state];
}

/** A table cell: no pipe, no line break, bounded (hosts and services name what is in it). */
function cellSafe(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').slice(0, 300);
}

export function renderFleetPreflight(environment: string, rows: HostPreflight[], titles: Record<FleetCheckId, string>, at: Date): string {
  const ids = Object.keys(titles) as FleetCheckId[];
  const out = [`## Preflight on every host, checked just now (${at.toISOString().slice(11, 19)} UTC)`, ''];
  const refusal = preflightRefusal(environment, rows, titles);
  if (refusal) out.push(`> ⛔ The rollout will not start: ${failedChecks(rows, titles).join('; ')}. Nothing runs anywhere until every host passes; why, below the table.`, '');
  out.push(`| Host | ${ids.map((id) => titles[id]).join(' | ')} |`, `|${' --- |'.repeat(ids.length + 1)}`);
  for (const row of rows) out.push(`| \`${cellSafe(row.host)}\` | ${ids.map((id) => cellSafe(cellText(row.cells[id], id))).join(' | ')} |`);
  out.push('', '✅ passes · ⛔ fails (the rollout stops before it starts) · `·` not reached (the host\'s preflight stops at its first refusal) · – not part of this plan. The current health is reported, never fatal.', '');
  const why = preflightFailures(rows, titles);
  if (why.length) out.push(...why.map((w) => `- ${w}`), '');
  out.push('Read-only, one connection per host: the run checks all of this again on every host, right after it takes the locks.', '');
  return out.join('\n');
}
