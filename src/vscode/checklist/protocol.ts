// The only way the checklist page and the extension host talk. Shared by both sides;
// type-only imports, so the page bundle pulls in no host code.
import type { ChecklistState, NotificationKind } from '../../core/checklist/types';
import type { FleetGridView } from '../../core/fleet/gridView';

export const CHECKLIST_VIEW_TYPE = 'rollbackPilot.checklist';

/** What the page needs besides the checklist itself. */
export interface ChecklistView {
  state: ChecklistState;
  readOnly: boolean;
  /** Something the user must know about this checklist (e.g. it came from a newer version). */
  notice?: string;
  saveError?: string;
  webhookConfigured: boolean;
  /** Messages as they would be sent now, per kind. */
  drafts: Record<NotificationKind, string>;
  /** Host clock when this view was made, so the page's timer does not drift from the status bar. */
  now: number;
  /** A fleet rollout: the host × step grid as the journal holds it now. */
  fleet?: FleetGridView;
}

/**
 * Runbook 000's brief investigation, before any run exists: the countdown the page shows
 * and, at zero, the rollback it offers. The host keeps the clock (a hidden page is
 * unloaded and starts over when shown again), so every load gets the same deadline.
 */
export interface InvestigationView {
  /** Host clock (ms) when the investigation started, and how long it may last (rollback.yml decision.investigateFor). */
  startedAt: number;
  lengthMs: number;
  /** Host clock when this view was made, so the page counts down from the host's time. */
  now: number;
  /** The triggers the decision offered (error spikes), read again for the page; absent until they arrive. */
  triggers?: string[];
  /** The services whose logs "Open logs" streams (those with logs: on the likely environment); absent until known. */
  logs?: string[];
}

/** What the operator chose on the investigation page: roll back now, or be asked the decision again. */
export type InvestigationChoice = 'roll-back' | 'decide';

export type HostToPage =
  | { type: 'init'; view: ChecklistView }
  | { type: 'investigation'; view: InvestigationView }
  | { type: 'state-update'; view: ChecklistView }
  | { type: 'toast'; level: 'info' | 'error'; message: string }
  | { type: 'busy'; kind: NotificationKind | null };

export type PageToHost =
  | { type: 'ready' }
  | { type: 'toggle-item'; itemId: string; checked: boolean }
  | { type: 'edit-text'; itemId: string; text: string }
  | { type: 'add-action-item'; text: string; owner?: string }
  | { type: 'edit-action-item'; id: string; text?: string; owner?: string; done?: boolean }
  | { type: 'remove-action-item'; id: string }
  | { type: 'send-notification'; kind: NotificationKind; text: string }
  | { type: 'retry-notification'; notificationId: string }
  | { type: 'copy-message'; kind: NotificationKind; text: string }
  | { type: 'escalation-handled'; minute: number }
  /** A service's logs in a terminal; without `service`, the host asks which. */
  | { type: 'open-logs'; service?: string }
  | { type: 'set-webhook' }
  | { type: 'start-postmortem' }
  | { type: 'check-ci' }
  | { type: 'file-follow-up' }
  | { type: 'investigation-choice'; choice: InvestigationChoice };

const KINDS: readonly string[] = ['start', 'escalation', 'all-clear', 'hold'];
const MAX_TEXT = 20_000;
const MAX_ID = 200;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max: number): boolean => typeof v === 'string' && v.length <= max;
const optStr = (v: unknown, max: number): boolean => v === undefined || str(v, max);
const id = (v: unknown): boolean => str(v, MAX_ID) && (v as string).length > 0;
const onlyKeys = (m: Rec, keys: string[]): boolean => Object.keys(m).every((k) => k === 'type' || keys.includes(k));

/** Validates a message from the page; anything else is dropped by the host (and logged). */
export function isPageToHost(m: unknown): m is PageToHost {
  if (!isRec(m) || typeof m.type !== 'string') return false;
  switch (m.type) {
    case 'open-logs':
      return onlyKeys(m, ['service']) && (m.service === undefined || id(m.service));
    case 'ready':
    case 'set-webhook':
    case 'start-postmortem':
    case 'check-ci':
    case 'file-follow-up':
      return onlyKeys(m, []);
    case 'toggle-item':
      return onlyKeys(m, ['itemId', 'checked']) && id(m.itemId) && typeof m.checked === 'boolean';
    case 'edit-text':
      return onlyKeys(m, ['itemId', 'text']) && id(m.itemId) && str(m.text, MAX_TEXT);
    case 'add-action-item':
      return onlyKeys(m, ['text', 'owner']) && str(m.text, MAX_TEXT) && (m.text as string).trim().length > 0 && optStr(m.owner, MAX_ID);
    case 'edit-action-item':
      return onlyKeys(m, ['id', 'text', 'owner', 'done']) && id(m.id) && optStr(m.text, MAX_TEXT) && optStr(m.owner, MAX_ID) && (m.done === undefined || typeof m.done === 'boolean');
    case 'remove-action-item':
      return onlyKeys(m, ['id']) && id(m.id);
    case 'send-notification':
    case 'copy-message':
      return onlyKeys(m, ['kind', 'text']) && KINDS.includes(m.kind as string) && str(m.text, MAX_TEXT) && (m.text as string).trim().length > 0;
    case 'retry-notification':
      return onlyKeys(m, ['notificationId']) && id(m.notificationId);
    case 'escalation-handled':
      return onlyKeys(m, ['minute']) && typeof m.minute === 'number' && Number.isFinite(m.minute) && m.minute > 0;
    case 'investigation-choice':
      return onlyKeys(m, ['choice']) && oneOf(m.choice, ['roll-back', 'decide']);
    default:
      return false;
  }
}

/** The page's check of what the host sends: enough to never render from a wrong shape. */
export function isHostToPage(m: unknown): m is HostToPage {
  if (!isRec(m) || typeof m.type !== 'string') return false;
  switch (m.type) {
    case 'init':
    case 'state-update': {
      const v = m.view;
      return isRec(v) && isRec(v.state) && Array.isArray(v.state.items) && Array.isArray(v.state.steps) && typeof v.readOnly === 'boolean' && isRec(v.drafts) && typeof v.now === 'number' && validLogs(v.state.logs) && validFleet(v.fleet);
    }
    case 'investigation':
      return validInvestigation(m.view);
    case 'toast':
      return (m.level === 'info' || m.level === 'error') && typeof m.message === 'string';
    case 'busy':
      return m.kind === null || KINDS.includes(m.kind as string);
    default:
      return false;
  }
}

const count = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const phaseCount = (v: unknown): boolean => isRec(v) && count(v.errors) && count(v.lines) && count(v.windowMs);
const oneOf = (v: unknown, allowed: readonly string[]): boolean => typeof v === 'string' && allowed.includes(v);

/** The log counts the chart draws (ChecklistState.logs): the page never draws from a wrong shape. */
export function validLogs(logs: unknown): boolean {
  if (logs === undefined) return true;
  if (!isRec(logs)) return false;
  return Object.values(logs).every(
    (c) =>
      isRec(c) && str(c.service, MAX_ID) && oneOf(c.phase, ['baseline', 'during', 'after']) && oneOf(c.mode, ['starting', 'follow', 'poll']) &&
      phaseCount(c.baseline) && phaseCount(c.during) && phaseCount(c.after) && count(c.at) &&
      Array.isArray(c.series) && c.series.length <= 500 && c.series.every((b) => isRec(b) && count(b.at) && count(b.errors) && count(b.lines) && oneOf(b.phase, ['during', 'after'])) &&
      optStr(c.lastError, MAX_TEXT) && optStr(c.problem, MAX_TEXT) && optStr(c.detail, MAX_TEXT) && (c.status === undefined || oneOf(c.status, ['passed', 'failed', 'could-not-run', 'skipped'])),
  );
}

const MAX_LINES = 50;
const lines = (v: unknown, valid: (x: unknown) => boolean): boolean => v === undefined || (Array.isArray(v) && v.length <= MAX_LINES && v.every(valid));

/** The investigation's clock: finite times and a positive length of at most a day; bounded trigger lines and service names; nothing else. */
export function validInvestigation(v: unknown): boolean {
  return isRec(v) && count(v.startedAt) && count(v.now) && count(v.lengthMs) && (v.lengthMs as number) > 0 && (v.lengthMs as number) <= 86_400_000 &&
    lines(v.triggers, (t) => str(t, MAX_TEXT)) && lines(v.logs, id) &&
    Object.keys(v).every((k) => ['startedAt', 'lengthMs', 'now', 'triggers', 'logs'].includes(k));
}

const CELL = ['not-started', 'running', 'ok', 'failed', 'skipped', 'unknown'];

/** The fleet grid the page draws (ChecklistView.fleet): bounded, every cell one of the known outcomes. */
export function validFleet(f: unknown): boolean {
  if (f === undefined) return true;
  if (!isRec(f) || !str(f.state, MAX_TEXT) || !Array.isArray(f.steps) || !Array.isArray(f.rows) || f.steps.length > 100 || f.rows.length > 2000) return false;
  const steps = f.steps as unknown[];
  if (!steps.every((s) => isRec(s) && id(s.id) && str(s.title, MAX_TEXT))) return false;
  const ids = (steps as Rec[]).map((s) => s.id as string);
  return (f.rows as unknown[]).every((r) => isRec(r) && id(r.host) && (r.batch === undefined || count(r.batch)) && isRec(r.cells) && ids.every((k) => oneOf((r.cells as Rec)[k], CELL)) && Object.keys(r.cells).length === ids.length);
}

/** A short description of a rejected message for the log, without echoing its (possibly large) content. */
export function describeRejected(m: unknown): string {
  if (!isRec(m)) return `not an object (${m === null ? 'null' : typeof m})`;
  return `type ${JSON.stringify(String(m.type)).slice(0, 60)} with keys ${Object.keys(m).slice(0, 10).join(', ')}`;
}
