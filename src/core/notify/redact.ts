/** Removes a secret URL (and its path/query, which carry the token) from text meant for users or logs. */
export function redactUrl(text: string, url: string): string {
  if (!url) return text;
  let out = text.split(url).join('<webhook URL>');
  try {
    const u = new URL(url);
    const secretParts = [u.pathname + u.search, u.pathname, u.search.slice(1)].filter((p) => p.length > 1);
    for (const p of secretParts) out = out.split(p).join('<redacted>');
  } catch {
    // Not a URL: the plain replacement above is all we can do.
  }
  return out;
}
