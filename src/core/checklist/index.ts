export * from './types';
export { DEFAULT_CHECKLIST_ITEMS, defaultItems } from './defaults';
export { applyChecklistOverrides, type ChecklistOverrideProblem } from './overrides';
export { applyEvent, withPlan } from './reducer';
export { createChecklistState, loadChecklistFromJournal, serializeChecklist, type CreateChecklistOptions, type LoadedChecklist } from './state';
export { timerStatus, formatElapsed, escalationAt, DEFAULT_ESCALATE_AT_MINUTES, type Escalation, type TimerStatus } from './timer';
export { ChecklistJournalBridge } from './journalBridge';
export { AllClearBlockedError, ChecklistSession, type SessionDeps } from './session';
export { ChecklistService, type ChecklistServiceDeps } from './service';
