import type { RollbackJournal } from '../run/journalTypes';
import type { RollbackPlan } from '../plan/types';
import { defaultItems } from './defaults';
import { applyChecklistOverrides, type ChecklistOverrideProblem } from './overrides';
import { withPlan } from './reducer';
import { DEFAULT_ESCALATE_AT_MINUTES } from './timer';
import { CHECKLIST_STATE_VERSION, type ChecklistState, type NotificationRecord } from './types';

export interface CreateChecklistOptions {
  runId: string;
  /** ISO time of the decision. */
  decidedAt: string;
  plan?: RollbackPlan;
  /** rollback.yml's raw `checklist` value. */
  overrides?: unknown;
  escalateAtMinutes?: readonly number[];
}

export function createChecklistState(o: CreateChecklistOptions): { state: ChecklistState; problems: ChecklistOverrideProblem[] } {
  const { items, problems } = applyChecklistOverrides(defaultItems(), o.overrides);
  let state: ChecklistState = {
    version: CHECKLIST_STATE_VERSION,
    runId: o.runId,
    decidedAt: o.decidedAt,
    items,
    steps: [],
    checks: [],
    notifications: [],
    actionItems: [],
    escalateAtMinutes: [...(o.escalateAtMinutes ?? DEFAULT_ESCALATE_AT_MINUTES)],
    escalationsHandled: [],
    runStatus: 'planned',
  };
  if (o.plan) state = withPlan(state, o.plan);
  return { state, problems };
}

export interface LoadedChecklist {
  state: ChecklistState;
  /** Set when the stored checklist could not be used as is: what happened, for the user. */
  notice?: string;
}

/**
 * Reads the checklist kept in a journal. A journal written before the checklist existed
 * gets a checklist rebuilt from its steps; a checklist of another version is reported,
 * kept verbatim in `unreadable` (so saving writes it back untouched) and shown read-only.
 */
export function loadChecklistFromJournal(journal: RollbackJournal, options: Omit<CreateChecklistOptions, 'runId' | 'decidedAt' | 'plan'> = {}): LoadedChecklist {
  const raw = journal.checklist;
  if (raw === undefined || raw === null) return { state: rebuildFromJournal(journal, options) };
  const version = typeof raw === 'object' && raw !== null && 'version' in raw ? (raw as { version: unknown }).version : undefined;
  if (version === CHECKLIST_STATE_VERSION && isStateShape(raw)) return { state: raw };
  const state = rebuildFromJournal(journal, options);
  const what =
    version === undefined
      ? 'has no version field'
      : typeof version === 'number' && version > CHECKLIST_STATE_VERSION
        ? `is version ${version}, written by a newer Rollback Pilot (this one reads version ${CHECKLIST_STATE_VERSION})`
        : `is version ${JSON.stringify(version)} with a shape this Rollback Pilot cannot read (it reads version ${CHECKLIST_STATE_VERSION})`;
  return {
    state: { ...state, unreadable: raw },
    notice: `The checklist stored in journal ${journal.runId} ${what}. It is kept unchanged in the journal; the panel shows the steps rebuilt from the journal, read-only.`,
  };
}

function isStateShape(v: unknown): v is ChecklistState {
  const s = v as Partial<ChecklistState>;
  return typeof s.runId === 'string' && typeof s.decidedAt === 'string' && Array.isArray(s.items) && Array.isArray(s.steps) && Array.isArray(s.checks) &&
    Array.isArray(s.notifications) && Array.isArray(s.actionItems) && Array.isArray(s.escalateAtMinutes) && Array.isArray(s.escalationsHandled);
}

function rebuildFromJournal(journal: RollbackJournal, options: Omit<CreateChecklistOptions, 'runId' | 'decidedAt' | 'plan'>): ChecklistState {
  const { state } = createChecklistState({ ...options, runId: journal.runId, decidedAt: journal.decidedAt, plan: journal.plan });
  const byId = new Map(journal.steps.map((s) => [s.stepId, s]));
  const steps = state.steps.map((s) => {
    const j = byId.get(s.id);
    if (!j) return s;
    return { ...s, outcome: j.outcome, ...(j.startedAt ? { startedAt: j.startedAt } : {}), ...(j.finishedAt ? { finishedAt: j.finishedAt } : {}), ...(j.detail ? { detail: j.detail } : {}) };
  });
  const items = state.items.map((i) => {
    if (i.auto?.on !== 'step-ok' && i.auto?.on !== 'check-passed') return i;
    const j = byId.get(i.auto.stepId);
    return j?.outcome === 'ok' ? { ...i, checked: true, checkedBy: 'extension', ...(j.finishedAt ? { checkedAt: j.finishedAt } : {}) } : i;
  });
  const notifications: NotificationRecord[] = journal.events
    .filter((e) => e.kind === 'notification' && isNotificationRecord(e.data))
    .map((e) => e.data as unknown as NotificationRecord);
  const runStatus: ChecklistState['runStatus'] = journal.status === 'abandoned' ? 'stopped' : journal.status;
  return { ...state, steps, items, notifications, runStatus, ...(journal.finishedAt ? { finishedAt: journal.finishedAt } : {}) };
}

function isNotificationRecord(v: unknown): boolean {
  const r = v as Partial<NotificationRecord> | undefined;
  return !!r && typeof r.id === 'string' && typeof r.kind === 'string' && typeof r.text === 'string' && typeof r.at === 'string';
}

/** The value to store in `journal.checklist`. */
export function serializeChecklist(state: ChecklistState): unknown {
  if (state.unreadable !== undefined) return state.unreadable;
  return JSON.parse(JSON.stringify(state)) as unknown;
}
