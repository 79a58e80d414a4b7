import type { ChecklistItem } from './types';

type ItemTemplate = Omit<ChecklistItem, 'checked' | 'checkedAt' | 'checkedBy'>;

/**
 * The runbook items every rollback gets, taken from the seeds' runbooks. The rollback
 * and verification sections are mostly generated from the plan's steps at run start;
 * the items here are the ones a human has to do or confirm.
 */
export const DEFAULT_CHECKLIST_ITEMS: readonly ItemTemplate[] = [
  { id: 'document-state', section: 'before', kind: 'text', label: 'Document the current state', hint: 'What is broken, since when, the error messages users see.' },
  { id: 'identify-change', section: 'before', kind: 'text', label: 'Identify the change', hint: 'The release being rolled back, the target, and the commits between them.' },
  { id: 'verify-target', section: 'before', kind: 'manual', label: 'Verify the target release is stable', hint: 'It ran in production before without this problem, and it is not marked bad.' },
  { id: 'communicate-intent', section: 'before', kind: 'manual', label: 'Tell the incident channel a rollback is being considered' },
  { id: 'notify-team', section: 'communication', kind: 'notify', label: 'Notify the team', auto: { on: 'notification-sent', notification: 'start' } },
  { id: 'hold-destructive', section: 'communication', kind: 'notify', label: 'Hold destructive actions', hint: 'Ask for no deploys, bulk updates or data fixes until the all-clear.', auto: { on: 'notification-sent', notification: 'hold' } },
  { id: 'start-timer', section: 'communication', kind: 'timer', label: 'Start the timer', auto: { on: 'timer-started' } },
  { id: 'watch-logs', section: 'communication', kind: 'manual', label: 'Watch the logs', hint: 'Keep the service logs open while the steps run. Services with logs: in rollback.yml are watched by Rollback Pilot (their error counts are under Verification); Open logs streams one in a terminal.', auto: { on: 'step-ok', stepId: 'logs-watch' } },
  { id: 'all-clear', section: 'communication', kind: 'notify', label: 'Post the all-clear when verification passes', auto: { on: 'notification-sent', notification: 'all-clear' } },
  { id: 'checks-passed', section: 'verification', kind: 'auto-check', label: 'All health and smoke checks passed', auto: { on: 'all-checks-passed' } },
  { id: 'verify-by-hand', section: 'verification', kind: 'manual', label: 'Check the critical user flows by hand' },
  { id: 'error-rate', section: 'verification', kind: 'manual', label: 'Error rate and latency are back to normal' },
  { id: 'postmortem', section: 'after', kind: 'manual', label: 'Start the blameless post-mortem', auto: { on: 'postmortem-written' } },
  { id: 'action-items', section: 'after', kind: 'action-items', label: 'Action items' },
  { id: 'forward-fix', section: 'after', kind: 'manual', label: 'Plan the forward fix' },
  { id: 'follow-up-issue', section: 'after', kind: 'manual', label: 'File the follow-up issue' },
  { id: 'feature-flags', section: 'after', kind: 'manual', label: 'Disable the feature flags the bad release turned on' },
  { id: 'ci-passed', section: 'after', kind: 'manual', label: 'Confirm the rolled-back release passed CI' },
  { id: 'changelog', section: 'after', kind: 'manual', label: 'Note the rollback in the CHANGELOG' },
];

export function defaultItems(): ChecklistItem[] {
  return DEFAULT_CHECKLIST_ITEMS.map((t) => ({ ...t, checked: false }));
}
