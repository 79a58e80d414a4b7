// How the decision to roll back was reached, as the run's journal keeps it (RollbackJournal
// .decision) and the post-mortem's timeline tells it: when the question was first asked (the
// operator started the rollback: the incident noticed), the triggers it offered ("api: 47
// errors in the last 5 minutes, 3 in the hour before"), each brief investigation with how it
// ended, and the decision with what changed. Made by the application layer (app/decision.ts)
// for both front ends; read back defensively, since a journal is a file anyone can edit.
import type { Cause, ConfigRemedy } from './tree';

/** How an investigation ended: the rollback chosen from it, the question asked again, or given up (Ctrl-C). */
export type InvestigationOutcome = 'rolled-back' | 'asked-again' | 'cancelled';

export interface InvestigationRecord {
  startedAt: string;
  /** Its limit (rollback.yml decision.investigateFor). */
  lengthMs: number;
  endedAt: string;
  ended: InvestigationOutcome;
  /** The limit had been reached when it ended ("Time's up"); false: ended early. */
  timeUp: boolean;
  /** The triggers its page showed while it counted down. */
  triggers?: string[];
}

export interface DecisionAsked {
  at: string;
  /** The immediate triggers offered with the question, as far as they had arrived when it was answered. */
  triggers: string[];
}

export interface DecisionRecord {
  /** Each time the roll back / roll forward / investigate question was asked; the first is when the incident was taken up. */
  asked: DecisionAsked[];
  investigations: InvestigationRecord[];
  /** When "roll back" was decided: the journal's decidedAt. */
  decidedAt: string;
  cause: Cause;
  remedy?: ConfigRemedy;
  /** What changed came with the command (Revert This Commit: the code) instead of being asked. */
  causeGiven?: boolean;
}

const CAUSES: readonly string[] = ['code', 'database', 'configuration', 'unknown'];
const ENDS: readonly string[] = ['rolled-back', 'asked-again', 'cancelled'];
const MAX_ITEMS = 100;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string').slice(0, MAX_ITEMS) : []);

/**
 * The decision of a journal, or undefined: absent in journals written before it was recorded,
 * and a hand-edited one that is not a decision is not rendered as one. Bad entries are dropped.
 */
export function readDecisionRecord(value: unknown): DecisionRecord | undefined {
  if (!isRec(value) || !isTime(value.decidedAt) || !CAUSES.includes(value.cause as string)) return undefined;
  const asked = (Array.isArray(value.asked) ? value.asked : []).filter((a): a is Rec => isRec(a) && isTime(a.at)).slice(0, MAX_ITEMS).map((a) => ({ at: a.at as string, triggers: texts(a.triggers) }));
  const investigations = (Array.isArray(value.investigations) ? value.investigations : [])
    .filter((i): i is Rec => isRec(i) && isTime(i.startedAt) && isTime(i.endedAt) && ENDS.includes(i.ended as string) && typeof i.lengthMs === 'number' && Number.isFinite(i.lengthMs) && i.lengthMs > 0)
    .slice(0, MAX_ITEMS)
    .map((i) => ({ startedAt: i.startedAt as string, lengthMs: i.lengthMs as number, endedAt: i.endedAt as string, ended: i.ended as InvestigationOutcome, timeUp: i.timeUp === true, ...(Array.isArray(i.triggers) ? { triggers: texts(i.triggers) } : {}) }));
  const remedy = value.cause === 'configuration' && (value.remedy === 'restore' || value.remedy === 'restart') ? value.remedy : undefined;
  return { asked, investigations, decidedAt: value.decidedAt, cause: value.cause as Cause, ...(remedy ? { remedy } : {}), ...(value.causeGiven === true ? { causeGiven: true } : {}) };
}

/** "5 min", "90 s", "1 min 30 s": an investigation's limit or how long it ran. */
export function shortDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
}

/** "code", "configuration (restore)", "unknown (the full rollback)": what changed, as the post-mortem says it. */
export function causeText(d: Pick<DecisionRecord, 'cause' | 'remedy' | 'causeGiven'>): string {
  const what = d.cause === 'configuration' ? `configuration${d.remedy ? ` (${d.remedy})` : ''}` : d.cause === 'unknown' ? 'unknown (the full rollback)' : d.cause === 'database' ? 'database (the migrations first)' : 'code';
  return `${what}${d.causeGiven ? ', given by the command' : ''}`;
}

/** How an investigation ended, in a few words: "Time's up: rolled back", "Ended early after 1 min 20 s: asked again". */
export function investigationEndText(i: InvestigationRecord): string {
  const what = i.ended === 'rolled-back' ? 'rolled back' : i.ended === 'asked-again' ? 'the decision asked again' : 'cancelled, nothing planned';
  if (i.timeUp) return `Time's up: ${what}`;
  const ran = Math.max(0, Date.parse(i.endedAt) - Date.parse(i.startedAt));
  return `Investigation ended early after ${shortDuration(ran)} of ${shortDuration(i.lengthMs)}: ${what}`;
}

/** The decision's part of a timeline, in the order it happened. */
export function decisionTimeline(d: DecisionRecord): Array<{ at: string; what: string }> {
  const rows: Array<{ at: string; what: string }> = [];
  d.asked.forEach((a, n) => {
    rows.push({ at: a.at, what: n === 0 ? 'Decision asked: roll back, roll forward or investigate first' : 'Decision asked again' });
    if (a.triggers.length) rows.push({ at: a.at, what: `Triggers shown: ${a.triggers.join('; ')}` });
  });
  for (const i of d.investigations) {
    rows.push({ at: i.startedAt, what: `Brief investigation started (${shortDuration(i.lengthMs)})` });
    if (i.triggers?.length) rows.push({ at: i.startedAt, what: `Investigation page showed: ${i.triggers.join('; ')}` });
    rows.push({ at: i.endedAt, what: investigationEndText(i) });
  }
  rows.push({ at: d.decidedAt, what: `Decided: roll back — cause ${causeText(d)}` });
  return rows;
}

/** One line for the post-mortem's summary: "roll back after 1 brief investigation (time's up); cause code". */
export function decisionSummary(d: DecisionRecord): string {
  const n = d.investigations.length;
  const last = d.investigations[n - 1];
  const after = n === 0 ? 'at once, without an investigation' : `after ${n} brief investigation${n === 1 ? '' : 's'} (the last ${last.timeUp ? "ran to time's up" : 'ended early'})`;
  return `roll back ${after}; cause ${causeText(d)}`;
}
