import { formatRollbackMessage, toSlackPayload, type MessageContext } from '../notify/format';
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

  messageContext(): MessageContext {
    const c = this.state.context;
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
    };
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

  /** Sends through the webhook; the outcome (also a failure) is recorded in the checklist and returned. */
  async send(kind: NotificationKind, text: string): Promise<NotificationRecord> {
    const url = await this.deps.webhookUrl();
    const at = new Date(this.deps.now()).toISOString();
    const result = await this.deps.sender.send(url, toSlackPayload(text, this.messageContext()));
    const record: NotificationRecord = result.ok
      ? { id: this.deps.newId(), kind, text, at, result: 'sent', status: result.status }
      : { id: this.deps.newId(), kind, text, at, result: 'failed', status: result.status, error: result.message };
    this.deps.log(result.ok ? `notification ${kind} sent` : `notification ${kind} failed: ${result.message}`);
    this.apply({ type: 'notification-result', record });
    return record;
  }

  async retry(notificationId: string): Promise<NotificationRecord | undefined> {
    const failed = this.state.notifications.find((n) => n.id === notificationId);
    return failed ? this.send(failed.kind, failed.text) : undefined;
  }

  /** Without a webhook the user pastes the message themselves; recorded, but it does not check the item. */
  recordCopied(kind: NotificationKind, text: string): void {
    this.apply({ type: 'notification-result', record: { id: this.deps.newId(), kind, text, at: new Date(this.deps.now()).toISOString(), result: 'copied' } });
  }
}
