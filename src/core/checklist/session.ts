import { formatRollbackMessage, REASON_SLOT, toSlackPayload, type MessageContext } from '../notify/format';
import { describeBlockers, exceptionClause, verdictOf, type AllClearBlocker, type VerificationVerdict } from '../verification/checks';
import type { WebhookSender } from '../notify/webhookSender';
import type { RollbackEvent } from '../run/events';
import { applyEvent } from './reducer';
import { serializeChecklist } from './state';
import { timerStatus } from './timer';
import type { ChecklistState, NotificationKind, NotificationRecord, UserAction } from './types';

export interface SessionDeps {
  saveChecklist(runId: string, checklist: unknown): Promise<void>;
  sender: WebhookSender;
  /** Read from SecretStorage on each send, so a URL set mid-incident is used at once. */
  webhookUrl(): Promise<string | undefined>;
  now(): number;
  newId(): string;
  log(line: string): void;
  holdMinutes?: number;
}

type Listener = (session: ChecklistSession) => void;

/** An all-clear that is not earned was about to go out without the operator's reason. */
export class AllClearBlockedError extends Error {
  constructor(readonly blockers: AllClearBlocker[]) {
    super(`The all-clear is not earned: ${describeBlockers(blockers)}. It is sent only when every health, smoke and log check passed, or with a reason typed for sending it anyway.`);
    this.name = 'AllClearBlockedError';
  }
}

/** One rollback's checklist: its state, where it is saved, and the notifications sent from it. */
export class ChecklistSession {
  private listeners = new Set<Listener>();
  private saving = false;
  private dirty = false;
  private saved: Promise<void> = Promise.resolve();
  /** The last save error, shown by the panel until a save succeeds. */
  saveError?: string;

  constructor(
    public state: ChecklistState,
    private readonly deps: SessionDeps,
    readonly readOnly: boolean,
    readonly notice?: string,
  ) {}

  get runId(): string {
    return this.state.runId;
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Applies an engine event or a user action; persists and tells listeners when the state changed. */
  apply(event: RollbackEvent | UserAction): void {
    if (this.readOnly && !('runId' in event)) return;
    const next = applyEvent(this.state, event);
    if (next === this.state) return;
    this.state = next;
    this.persist();
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.listeners]) {
      try {
        l(this);
      } catch (e) {
        this.deps.log(`checklist listener failed: ${String(e)}`);
      }
    }
  }

  /** One save at a time; changes during a save are written right after it. */
  private persist(): void {
    if (this.readOnly) return;
    if (this.saving) {
      this.dirty = true;
      return;
    }
    this.saving = true;
    this.saved = this.saveLoop();
  }

  private async saveLoop(): Promise<void> {
    do {
      this.dirty = false;
      try {
        await this.deps.saveChecklist(this.runId, serializeChecklist(this.state));
        if (this.saveError) {
          this.saveError = undefined;
          this.changed();
        }
      } catch (e) {
        this.saveError = `The checklist could not be saved to the journal: ${e instanceof Error ? e.message : String(e)}`;
        this.deps.log(this.saveError);
        this.changed();
      }
    } while (this.dirty);
    this.saving = false;
  }

  /** Resolves when every change so far is written (or has failed with `saveError`). */
  whenSaved(): Promise<void> {
    return this.saved;
  }

  /** What the run's verification checks say, from the live steps (the same verdict the run's all-clear step reads from the journal). */
  verification(): VerificationVerdict {
    return verdictOf(this.state.steps.map((s) => ({ id: s.id, kind: s.kind, title: s.title, outcome: s.outcome, ...(s.service ? { service: s.service } : {}), ...(s.detail ? { detail: s.detail } : {}) })));
  }

  /** The checks that keep the all-clear from going out by itself (empty: it is earned). */
  allClearBlockers(): AllClearBlocker[] {
    return this.verification().blockers;
  }

  messageContext(): MessageContext {
    const c = this.state.context;
    const v = this.verification();
    const status = timerStatus(this.state.decidedAt, this.state.escalateAtMinutes, this.state.escalationsHandled, this.deps.now());
    return {
      from: c?.from.name ?? 'the current release',
      to: c?.to.name ?? 'the previous release',
      reason: c?.reason ?? 'of a production problem',
      elapsedMs: status.elapsedMs,
      holdMinutes: this.deps.holdMinutes ?? 30,
      ...(c?.environment ? { environment: c.environment } : {}),
      ...(c?.operator ? { operator: c.operator } : {}),
      ...(status.due[0] ? { suggestion: status.due[0].suggestion } : {}),
      checks: { passed: v.passed, blocked: v.blockers.map((b) => b.label) },
    };
  }

  /**
   * The all-clear as it goes out: when it is not earned, the operator's reason takes the
   * draft's reason slot, or the exception clause is put in front of an edited text that lost it.
   */
  private allClearText(text: string, blockers: AllClearBlocker[], reason: string | undefined): string {
    if (!blockers.length) return text;
    if (!reason?.trim()) throw new AllClearBlockedError(blockers);
    if (text.includes(REASON_SLOT)) return text.split(REASON_SLOT).join(reason.trim());
    return text.startsWith('All clear, except:') ? text : `${exceptionClause(blockers, reason)} ${text}`;
  }

  /** The messages as they would be sent now; the panel shows them editable. */
  drafts(): Record<NotificationKind, string> {
    const ctx = this.messageContext();
    return {
      start: formatRollbackMessage('start', ctx),
      hold: formatRollbackMessage('hold', ctx),
      escalation: formatRollbackMessage('escalation', ctx),
      'all-clear': formatRollbackMessage('all-clear', ctx),
    };
  }

  /**
   * Sends through the webhook; the outcome (also a failure) is recorded in the checklist and
   * returned. An all-clear that is not earned needs `exceptReason` (else AllClearBlockedError):
   * the message then says which checks did not pass and why it goes out anyway.
   */
  async send(kind: NotificationKind, text: string, options: { exceptReason?: string } = {}): Promise<NotificationRecord> {
    const blockers = kind === 'all-clear' ? this.allClearBlockers() : [];
    text = this.allClearText(text, blockers, options.exceptReason);
    const except = blockers.length ? { except: { blockers: blockers.map((b) => b.label), reason: options.exceptReason!.trim() } } : {};
    const url = await this.deps.webhookUrl();
    const at = new Date(this.deps.now()).toISOString();
    const result = await this.deps.sender.send(url, toSlackPayload(text, this.messageContext()));
    const record: NotificationRecord = result.ok
      ? { id: this.deps.newId(), kind, text, at, result: 'sent', status: result.status, ...except }
      : { id: this.deps.newId(), kind, text, at, result: 'failed', status: result.status, error: result.message, ...except };
    this.deps.log(result.ok ? `notification ${kind} sent` : `notification ${kind} failed: ${result.message}`);
    this.apply({ type: 'notification-result', record });
    return record;
  }

  async retry(notificationId: string): Promise<NotificationRecord | undefined> {
    const failed = this.state.notifications.find((n) => n.id === notificationId);
    // A retried all-clear keeps the reason it was first sent with (its text already carries it).
    return failed ? this.send(failed.kind, failed.text, failed.except ? { exceptReason: failed.except.reason } : {}) : undefined;
  }

  /** Without a webhook the user pastes the message themselves; recorded, but it does not check the item. Returns the text as copied. */
  recordCopied(kind: NotificationKind, text: string, options: { exceptReason?: string } = {}): string {
    const blockers = kind === 'all-clear' ? this.allClearBlockers() : [];
    // Copying a draft is not sending it: an unearned all-clear is copied as drafted unless a reason was given.
    const final = blockers.length && options.exceptReason?.trim() ? this.allClearText(text, blockers, options.exceptReason) : text;
    const except = blockers.length && options.exceptReason?.trim() ? { except: { blockers: blockers.map((b) => b.label), reason: options.exceptReason.trim() } } : {};
    this.apply({ type: 'notification-result', record: { id: this.deps.newId(), kind, text: final, at: new Date(this.deps.now()).toISOString(), result: 'copied', ...except } });
    return final;
  }
}
