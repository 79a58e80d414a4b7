/** For the input box of Rollback: Set Webhook URL: undefined when acceptable (empty removes the stored URL). The message never repeats the value. */
export function validateWebhookUrl(value: string): string | undefined {
  if (!value.trim()) return undefined; // empty removes the stored URL
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    return 'Not a URL. Paste the incoming-webhook URL, e.g. https://hooks.slack.com/services/…';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `The URL must start with https:// (or http://), not ${u.protocol}//`;
  if (u.username || u.password) return 'Put no user name or password in the URL.';
  return undefined;
}
