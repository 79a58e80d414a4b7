// The preview's "checked just now" section: the plan's preflight run once on the target before
// the preview is shown (read-only: paths, git, identity, backup, images, current health), so
// the operator reads what the run's first step will find before confirming. Not part of the
// plan's digest: it is a reading of the target, and the run's preflight checks again.

/** What one preflight command found when it was run for the preview. */
export interface PreflightResult {
  /** The step's title, e.g. "Check prod-1 is ready: /srv/app at v1.3.0". */
  title: string;
  where: string;
  ok: boolean;
  /** Its report lines ("api is already down: 502"). */
  found: string[];
  /** Why it would refuse (its message naming host and path), when it would. */
  refusal?: string;
  /** The target could not be asked (connection, timeout): the run's preflight asks again. */
  unreadable?: string;
}

/** The markdown section, or '' when the plan has no preflight. */
export function renderPreflightResults(results: PreflightResult[], at: Date): string {
  if (results.length === 0) return '';
  const out = [`## Preflight, checked just now (${at.toISOString().slice(11, 19)} UTC)`, ''];
  const refused = results.filter((r) => r.refusal);
  if (refused.length) out.push(`> ⛔ The run would stop at its first step: ${refused.map((r) => r.refusal).join('; ')}. Fix this first; nothing would change on the target.`, '');
  for (const r of results) {
    const state = r.unreadable ? `❔ not checked (${r.unreadable}); the run checks at its start` : r.ok ? '✅ passes' : `⛔ refuses: ${r.refusal ?? 'it failed'}`;
    out.push(`- **${r.title}** on \`${r.where}\`: ${state}`);
    for (const f of r.found) out.push(`  - ${/already down|could not be read|not checked/.test(f) ? '⚠️ ' : ''}${f}`);
  }
  out.push('', 'Read-only: the run\'s own preflight checks all of this again, right after it takes the lock.', '');
  return out.join('\n');
}

/** The preview text with the section put before its first "## " heading (after the summary), or at the end. */
export function withPreflightResults(preview: string, section: string): string {
  if (!section) return preview;
  const at = preview.indexOf('\n## ');
  return at < 0 ? `${preview}\n\n${section}` : `${preview.slice(0, at + 1)}${section}\n${preview.slice(at + 1)}`;
}
