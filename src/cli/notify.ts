// The plan's notify steps from the command line. VS Code keeps the team's webhook URL in its
// secret storage; a terminal or a CI job has none, so the URL comes from the environment
// (ROLLBACK_PILOT_WEBHOOK_URL, as a CI secret is usually given), is never printed, and is
// hidden by the one redactor wherever it could appear. The messages are the checklist's own
// (core/checklist: the same drafts, the same all-clear rule as the extension), and their
// results ride along in the journal. When a message is not sent, stderr says so and why, with
// the text to paste into the incident channel.
import { randomUUID } from 'node:crypto';
import { ChecklistJournalBridge, ChecklistService } from '../core/checklist';
import type { RollbackConfig } from '../core/config/types';
import type { SlackPayload } from '../core/notify/format';
import { validateWebhookUrl } from '../core/notify/validateUrl';
import { WebhookSender, type SendResult } from '../core/notify/webhookSender';
import type { HttpPort } from '../core/ports';
import { redactingWebhookHttp, type Redactor } from '../core/redact';
import type { RollbackEvents } from '../core/run';
import type { Notifier } from '../core/run/ports';

/** The environment variable the command line reads the webhook URL from. */
export const WEBHOOK_ENV = 'ROLLBACK_PILOT_WEBHOOK_URL';

export interface CliNotifyDeps {
  events: RollbackEvents;
  journals: ChecklistJournalBridge;
  http: HttpPort;
  redactor: Redactor;
  config(): RollbackConfig | undefined;
  env: NodeJS.ProcessEnv;
  /** A line on stderr (redacted by the caller). */
  say(message: string): void;
  log(line: string): void;
}

/** The sender, telling the notifier what became of each message (the URL is never in it). */
class ReportingSender extends WebhookSender {
  last?: { result: SendResult; text: string };

  override async send(url: string | undefined, payload: SlackPayload): Promise<SendResult> {
    const result = await super.send(url, payload);
    this.last = { result, text: payload.text };
    return result;
  }
}

export interface CliNotify {
  notifier: Notifier;
  dispose(): void;
}

export function cliNotifier(deps: CliNotifyDeps): CliNotify {
  const raw = deps.env[WEBHOOK_ENV]?.trim() || undefined;
  const problem = raw === undefined ? undefined : validateWebhookUrl(raw);
  const url = problem === undefined ? raw : undefined;
  if (url) deps.redactor.setSource('webhook-url', [url]);
  const sender = new ReportingSender(redactingWebhookHttp(deps.http, deps.redactor));
  let withheld: string | undefined;
  const service = new ChecklistService({
    events: deps.events,
    journals: deps.journals,
    sender,
    webhookUrl: async () => (deps.config()?.notify.webhook === false ? undefined : url),
    settings: () => {
      const c = deps.config();
      return { overrides: c?.checklist, ...(c?.notify.escalateAtMinutes ? { escalateAtMinutes: c.notify.escalateAtMinutes } : {}) };
    },
    now: () => Date.now(),
    newId: () => randomUUID(),
    log: (line) => {
      if (line.startsWith('all-clear withheld')) withheld = line.replace(/^all-clear withheld: /, '');
      deps.log(`checklist: ${line}`);
    },
  });

  /** Why nothing was sent when no URL was at hand. */
  const noUrl = (): string => {
    if (deps.config()?.notify.webhook === false) return `the webhook is off in rollback.yml (notify.webhook: true turns it on${url ? '' : `, and ${WEBHOOK_ENV} gives the URL`})`;
    if (problem !== undefined) return `${WEBHOOK_ENV} is set but not usable: ${problem}`;
    return `no webhook URL: the command line reads it from ${WEBHOOK_ENV} (it has no secret storage; VS Code keeps the URL set with Rollback: Set Webhook URL)`;
  };

  const notifier: Notifier = async (step, plan, options) => {
    sender.last = undefined;
    withheld = undefined;
    const result = await service.notifier(step, plan, options);
    if (result !== 'skipped') return result;
    const last = sender.last as ReportingSender['last'];
    let why: string;
    if (withheld !== undefined) why = `the all-clear is withheld: ${withheld}`;
    else if (last && !last.result.ok) why = last.result.reason === 'no-webhook' ? noUrl() : last.result.message;
    else why = 'the run has no checklist session to send it from';
    deps.say(`Notify skipped ("${step.title}"): ${why}.${last?.text ? ` The message, to paste into the incident channel:\n  ${last.text}` : ''}`);
    return 'skipped';
  };
  return { notifier, dispose: () => service.dispose() };
}
