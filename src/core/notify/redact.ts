import { Redactor } from '../redact/redactor';

/**
 * Removes a secret URL (and its path/query, which carry the token) from text meant for
 * users or logs. The same rules as the product's one redactor (core/redact), for the one
 * URL at hand: the webhook sender calls it with the URL it just used.
 */
export function redactUrl(text: string, url: string): string {
  if (!url) return text;
  const r = new Redactor();
  r.setSource('webhook-url', [url]);
  return r.redact(text);
}
