import type { PlanStep, RollbackPlan } from '../plan/types';
import type { RollbackEvent, RollbackEvents } from '../run/events';
import type { Notifier, NotifyOptions } from '../run/ports';
import type { WebhookSender } from '../notify/webhookSender';
import type { ChecklistJournalBridge } from './journalBridge';
import type { ChecklistOverrideProblem } from './overrides';
import { AllClearBlockedError, ChecklistSession } from './session';
import { createChecklistState, loadChecklistFromJournal } from './state';
import type { NotificationKind } from './types';

export interface ChecklistServiceDeps {
  events: RollbackEvents;
  journals: ChecklistJournalBridge;
  sender: WebhookSender;
  webhookUrl(): Promise<string | undefined>;
  /** rollback.yml's current `checklist` overrides and `notify.escalateAtMinutes`. */
  settings(): { overrides?: unknown; escalateAtMinutes?: number[]; holdMinutes?: number };
  now(): number;
  newId(): string;
  log(line: string): void;
  /**
   * Without a webhook a message is copied for pasting (the editor's clipboard, with a
   * message saying so) instead of failing a send that cannot succeed.
   */
  copyInstead?(text: string): Promise<void>;
}

/**
 * Keeps one checklist session per rollback run, fed by the engine's events (it
 * subscribes once, at construction) and by the panel.
 */
export class ChecklistService {
  private readonly sessions = new Map<string, ChecklistSession>();
  private readonly runOfPlan = new Map<string, string>();
  private readonly startListeners = new Set<(session: ChecklistSession) => void>();
  private readonly subscription: { dispose(): void };
  /** Override problems of the last checklist created, for the Problems panel. */
  lastProblems: ChecklistOverrideProblem[] = [];
  activeRunId?: string;

  constructor(private readonly deps: ChecklistServiceDeps) {
    this.subscription = deps.events.on((e) => this.onEvent(e));
  }

  onDidStartRun(listener: (session: ChecklistSession) => void): { dispose(): void } {
    this.startListeners.add(listener);
    return { dispose: () => this.startListeners.delete(listener) };
  }

  get active(): ChecklistSession | undefined {
    return this.activeRunId ? this.sessions.get(this.activeRunId) : undefined;
  }

  /** The session of a run, from memory or its journal; `readOnly` for the history view. */
  async open(runId: string, options: { readOnly?: boolean } = {}): Promise<ChecklistSession | undefined> {
    const known = this.sessions.get(runId);
    if (known && !options.readOnly) return known;
    const journal = await this.deps.journals.load(runId);
    if (!journal) return undefined;
    const s = this.deps.settings();
    const loaded = loadChecklistFromJournal(journal, { overrides: s.overrides, ...(s.escalateAtMinutes ? { escalateAtMinutes: s.escalateAtMinutes } : {}) });
    if (loaded.notice) this.deps.log(loaded.notice);
    const session = this.newSession(loaded.state, options.readOnly === true || loaded.state.unreadable !== undefined, loaded.notice);
    if (!options.readOnly) this.sessions.set(runId, session);
    return session;
  }

  private newSession(state: ChecklistSession['state'], readOnly: boolean, notice?: string): ChecklistSession {
    const d = this.deps;
    return new ChecklistSession(
      state,
      { saveChecklist: (id, c) => d.journals.saveChecklist(id, c), sender: d.sender, webhookUrl: () => d.webhookUrl(), now: () => d.now(), newId: () => d.newId(), log: (l) => d.log(l), holdMinutes: d.settings().holdMinutes },
      readOnly,
      notice,
    );
  }

  private onEvent(e: RollbackEvent): void {
    let session = this.sessions.get(e.runId);
    if (e.type === 'run-started') {
      this.runOfPlan.set(e.plan.id, e.runId);
      this.activeRunId = e.runId;
      if (!session) {
        session = this.sessionForNewRun(e.runId, e.plan.createdAt);
        this.sessions.set(e.runId, session);
      }
      session.apply(e);
      for (const l of [...this.startListeners]) l(session);
      return;
    }
    session?.apply(e);
    if (e.type === 'run-finished' && this.activeRunId === e.runId) this.activeRunId = undefined;
  }

  /** A resumed run (e.g. after a window reload) continues the checklist its journal holds; a new run gets a fresh one. */
  private sessionForNewRun(runId: string, fallbackDecidedAt: string): ChecklistSession {
    const s = this.deps.settings();
    const journal = this.deps.journals.latestJournal(runId);
    const escalate = s.escalateAtMinutes ? { escalateAtMinutes: s.escalateAtMinutes } : {};
    if (journal?.checklist !== undefined) {
      const loaded = loadChecklistFromJournal(journal, { overrides: s.overrides, ...escalate });
      if (loaded.notice) this.deps.log(loaded.notice);
      return this.newSession(loaded.state, loaded.state.unreadable !== undefined, loaded.notice);
    }
    const { state, problems } = createChecklistState({ runId, decidedAt: journal?.decidedAt ?? fallbackDecidedAt, overrides: s.overrides, ...escalate });
    this.lastProblems = problems;
    for (const p of problems) this.deps.log(`rollback.yml ${p.path}: ${p.message}`);
    return this.newSession(state, false);
  }

  /** For the engine's RunnerDeps.notify: sends the plan's notify steps through the checklist, so they show and can be retried there. */
  readonly notifier: Notifier = async (step: PlanStep, plan: RollbackPlan, options: NotifyOptions = {}) => {
    const runId = this.runOfPlan.get(plan.id);
    const session = runId ? this.sessions.get(runId) : undefined;
    if (!session) return 'skipped';
    const kind = notificationKindOf(step);
    const text = session.drafts()[kind];
    const exceptReason = options.except?.reason;
    // The run's all-clear step already asked; the session checks again on its own live steps and refuses an unearned one without a reason.
    if (kind === 'all-clear' && session.allClearBlockers().length && !exceptReason) {
      this.deps.log(`all-clear withheld: ${new AllClearBlockedError(session.allClearBlockers()).message}`);
      return 'skipped';
    }
    if (this.deps.copyInstead && !(await this.deps.webhookUrl())) {
      const copied = session.recordCopied(kind, text, exceptReason ? { exceptReason } : {});
      await this.deps.copyInstead(copied);
      return 'copied';
    }
    const record = await session.send(kind, text, exceptReason ? { exceptReason } : {});
    return record.result === 'sent' ? 'sent' : 'skipped';
  };

  dispose(): void {
    this.subscription.dispose();
    this.startListeners.clear();
  }
}

function notificationKindOf(step: PlanStep): NotificationKind {
  const text = `${step.id} ${step.title}`.toLowerCase();
  if (/all[- ]?clear/.test(text)) return 'all-clear';
  if (/\bhold\b/.test(text)) return 'hold';
  return 'start';
}
