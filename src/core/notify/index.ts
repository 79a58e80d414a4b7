export { formatRollbackMessage, REASON_SLOT, toSlackPayload, type MessageContext, type SlackPayload } from './format';
export { WebhookSender, DEFAULT_WEBHOOK_TIMEOUT_MS, type SendResult } from './webhookSender';
export { redactUrl } from './redact';
export { validateWebhookUrl } from './validateUrl';
