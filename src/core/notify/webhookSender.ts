import type { HttpPort } from '../ports';
import { redactUrl } from './redact';
import type { SlackPayload } from './format';

export type SendResult =
  | { ok: true; status: number }
  | { ok: false; status: number | null; reason: 'http-status' | 'timeout' | 'network' | 'no-webhook'; message: string };

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Posts a message to the team's chat webhook. Every failure comes back as a value the
 * panel shows with a retry button; the URL (a bearer secret) never appears in the message.
 */
export class WebhookSender {
  constructor(
    private readonly http: HttpPort,
    private readonly timeoutMs = DEFAULT_WEBHOOK_TIMEOUT_MS,
  ) {}

  async send(url: string | undefined, payload: SlackPayload): Promise<SendResult> {
    if (!url) return { ok: false, status: null, reason: 'no-webhook', message: 'No webhook URL is set (Rollback: Set Webhook URL). The message was not sent.' };
    let res;
    try {
      res = await this.http.postJson(url, payload, this.timeoutMs);
    } catch (e) {
      return { ok: false, status: null, reason: 'network', message: `Sending to the webhook failed: ${redactUrl(String((e as Error)?.message ?? e), url)}` };
    }
    if (res.status !== null && res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    if (res.status === null) {
      const err = res.error ?? 'no response';
      const timedOut = /time(d)?\s*out|timeout|ETIMEDOUT|aborted|no answer within/i.test(err) || res.durationMs >= this.timeoutMs;
      return timedOut
        ? { ok: false, status: null, reason: 'timeout', message: `The webhook did not answer within ${Math.round(this.timeoutMs / 1000)} s; the message may not have been delivered.` }
        : { ok: false, status: null, reason: 'network', message: `Sending to the webhook failed: ${redactUrl(err, url)}` };
    }
    const body = redactUrl(res.body.slice(0, 200).trim(), url);
    return { ok: false, status: res.status, reason: 'http-status', message: `The webhook answered HTTP ${res.status}${body ? `: ${body}` : ''}` };
  }
}
