import { formatElapsed } from '../checklist/timer';
import type { NotificationKind } from '../checklist/types';
import { patternsOnly, type Redactor } from '../redact/redactor';
import { clause } from '../plan/sentence';

/** What the messages are redacted with: the product's redactor, or the pattern families alone. */
type Redact = Pick<Redactor, 'redact'>;

export interface MessageContext {
  environment?: string;
  from: string;
  to: string;
  reason: string;
  /** Milliseconds since the decision. */
  elapsedMs: number;
  /** For 'hold': how long to hold destructive actions. */
  holdMinutes?: number;
  /** For 'escalation': the suggestion shown at that point. */
  suggestion?: string;
  operator?: string;
  /**
   * For 'all-clear': what the verification checks say (verification/checks.ts). Blocked
   * checks make it an "All clear, except: …" message with the operator's reason; without
   * this, the message claims nothing about checks.
   */
  checks?: { passed: string[]; blocked: string[]; exceptReason?: string };
}

/** Stands where the operator's reason goes in an all-clear draft that is not earned; replaced when it is sent. */
export const REASON_SLOT = '(the reason you type when sending)';

/** Slack's incoming-webhook shape; other chat tools accept `text` alone. */
export interface SlackPayload {
  text: string;
  blocks?: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } } | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }>;
}

/**
 * The message for the team's channel. The reason is typed by a person and the suggestion
 * may quote output, so the text is redacted: a message posted to a chat is written down.
 */
export function formatRollbackMessage(kind: NotificationKind, ctx: MessageContext, redactor: Redact = patternsOnly): string {
  return redactor.redact(unredactedMessage(kind, ctx));
}

function unredactedMessage(kind: NotificationKind, ctx: MessageContext): string {
  const where = ctx.environment ? ` on ${ctx.environment}` : '';
  const elapsed = formatElapsed(ctx.elapsedMs);
  switch (kind) {
    case 'start':
      return `Rolling back ${ctx.from} to ${ctx.to}${where} because ${clause(ctx.reason)}. (${elapsed} since the decision)`;
    case 'hold':
      return `Rollback of ${ctx.from} to ${ctx.to}${where} in progress: hold off on deploys, bulk updates and data fixes for the next ${ctx.holdMinutes ?? 30} minutes, until the all-clear.`;
    case 'escalation':
      return `Update: still rolling back ${ctx.from} to ${ctx.to}${where} (${elapsed} since the decision; reason: ${clause(ctx.reason)}).${ctx.suggestion ? ` ${ctx.suggestion}` : ''}`;
    case 'all-clear': {
      const rest = `Took ${elapsed} from the decision. Reason: ${clause(ctx.reason)}. Destructive actions may resume.`;
      const c = ctx.checks;
      if (!c) return `All clear: ${ctx.from} rolled back to ${ctx.to}${where}. ${rest}`;
      if (c.blocked.length) {
        return `All clear, except: ${c.blocked.join(', ')} — reason: ${c.exceptReason?.trim() || REASON_SLOT}. ${ctx.from} rolled back to ${ctx.to}${where}${c.passed.length ? `; passed: ${c.passed.join(', ')}` : ''}. ${rest}`;
      }
      if (!c.passed.length) return `All clear: ${ctx.from} rolled back to ${ctx.to}${where}; no health, smoke or log checks are configured, so none ran. ${rest}`;
      return `All clear: ${ctx.from} rolled back to ${ctx.to}${where}; every check passed (${c.passed.join(', ')}). ${rest}`;
    }
  }
}

/** Slack mrkdwn treats <, > and & as control characters. */
function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The payload posted; its text is redacted again, since an edited draft never went through formatRollbackMessage. */
export function toSlackPayload(text: string, ctx?: Pick<MessageContext, 'from' | 'to' | 'environment' | 'elapsedMs' | 'operator'>, redactor: Redact = patternsOnly): SlackPayload {
  text = redactor.redact(text);
  if (!ctx) return { text };
  const facts = [`*From* ${ctx.from}`, `*To* ${ctx.to}`, ...(ctx.environment ? [`*Env* ${ctx.environment}`] : []), `*Elapsed* ${formatElapsed(ctx.elapsedMs)}`, ...(ctx.operator ? [`*By* ${ctx.operator}`] : [])];
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(redactor.redact(facts.join(' · '))) }] },
    ],
  };
}
