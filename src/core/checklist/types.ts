import type { StepKind, StepOutcome } from '../plan/types';
import type { LogCounts } from '../logs/types';

export type ChecklistSection = 'before' | 'communication' | 'rollback' | 'verification' | 'after';
export const CHECKLIST_SECTIONS: readonly ChecklistSection[] = ['before', 'communication', 'rollback', 'verification', 'after'];

export type ChecklistItemKind = 'manual' | 'text' | 'auto-step' | 'auto-check' | 'notify' | 'timer' | 'action-items';
export const CHECKLIST_ITEM_KINDS: readonly ChecklistItemKind[] = ['manual', 'text', 'auto-step', 'auto-check', 'notify', 'timer', 'action-items'];

export type NotificationKind = 'start' | 'escalation' | 'all-clear' | 'hold';

/** What lets the extension check an item by itself. */
export type AutoRule =
  | { on: 'step-ok'; stepId: string }
  | { on: 'check-passed'; stepId: string }
  | { on: 'all-checks-passed' }
  | { on: 'notification-sent'; notification: NotificationKind }
  | { on: 'timer-started' }
  | { on: 'postmortem-written' };

export interface ChecklistItem {
  id: string;
  section: ChecklistSection;
  label: string;
  kind: ChecklistItemKind;
  checked: boolean;
  /** ISO time it was checked. */
  checkedAt?: string;
  /** 'extension' when auto-checked, otherwise the operator. */
  checkedBy?: string;
  auto?: AutoRule;
  /** Longer hint under the label. */
  hint?: string;
  /** For 'text' items: what the user wrote. For 'notify' items: the editable message. */
  text?: string;
}

export interface LiveStep {
  id: string;
  kind: StepKind;
  title: string;
  service?: string;
  outcome: StepOutcome;
  startedAt?: string;
  finishedAt?: string;
  detail?: string;
}

export interface CheckResult {
  stepId: string;
  service?: string;
  /** A check inside the step (a smoke flow's step); absent for health probes. */
  name?: string;
  /** The URL as planned (a smoke step's template, never filled with a captured value); '' for a command. */
  url: string;
  status: number | null;
  ok: boolean;
  at: string;
  error?: string;
  /** What the check found, for checks inside a step (e.g. "POST /auth/login → 200; captured token"). */
  detail?: string;
}

export interface NotificationRecord {
  id: string;
  kind: NotificationKind;
  text: string;
  at: string;
  /** 'sent' through the webhook, 'copied' to the clipboard for pasting, 'failed' with the error. */
  result: 'sent' | 'copied' | 'failed';
  /** An all-clear sent although not every check passed: which ones, and the reason the operator typed. */
  except?: { blockers: string[]; reason: string };
  status?: number | null;
  error?: string;
}

export interface ActionItem {
  id: string;
  text: string;
  owner?: string;
  done: boolean;
  createdAt: string;
}

export interface RunContext {
  environment: string;
  from: { name: string; sha: string };
  to: { name: string; sha: string };
  reason: string;
  operator?: string;
}

export const CHECKLIST_STATE_VERSION = 1;

/** Everything the panel shows; stored in the journal's `checklist` field. */
export interface ChecklistState {
  version: typeof CHECKLIST_STATE_VERSION;
  runId: string;
  /** ISO time of the decision to roll back: the timer counts from here. */
  decidedAt: string;
  context?: RunContext;
  items: ChecklistItem[];
  steps: LiveStep[];
  checks: CheckResult[];
  /** Each watched service's log counts (baseline, during, after, the chart's bars), the latest reading; absent before log watching existed. */
  logs?: Record<string, LogCounts>;
  notifications: NotificationRecord[];
  actionItems: ActionItem[];
  /** Minutes after the decision at which to suggest escalating. */
  escalateAtMinutes: number[];
  /** Escalation points (minutes) the user has already acted on or dismissed. */
  escalationsHandled: number[];
  runStatus: 'planned' | 'running' | 'succeeded' | 'failed' | 'stopped';
  finishedAt?: string;
  /** A checklist from a journal this version cannot read; kept so it is written back untouched. */
  unreadable?: unknown;
}

/** What the user did in the panel (or a command did on their behalf). */
export type UserAction =
  | { type: 'toggle-item'; itemId: string; checked: boolean; at: number; by: string }
  | { type: 'edit-text'; itemId: string; text: string }
  | { type: 'add-action-item'; id: string; text: string; owner?: string; at: number }
  | { type: 'edit-action-item'; id: string; text?: string; owner?: string; done?: boolean }
  | { type: 'remove-action-item'; id: string }
  | { type: 'notification-result'; record: NotificationRecord }
  | { type: 'escalation-handled'; minute: number }
  | { type: 'postmortem-written'; at: number; path: string };
