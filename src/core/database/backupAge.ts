// How old the newest backup is, read from whatever `backup.list` prints (file names or
// listing lines with a date), and whether that is recent enough to go on.

/**
 * Newest backup age from `backup.list` output (timestamps such as 2024-05-01 12:00:00 or
 * 20240501-120000 in names). A date without a zone is read as UTC, as servers and backup jobs
 * usually write them; a local-time name on a host east of UTC shows up as "in the future",
 * which judgeBackupList reports rather than guesses at.
 */
export function newestBackupAge(listOutput: string, now: Date): { ageMs: number; text: string; found: string } | undefined {
  let newest: { at: number; found: string } | undefined;
  for (const m of listOutput.matchAll(/(\d{4})-?(\d{2})-?(\d{2})[ T_-]?(\d{2}):?(\d{2})(?::?(\d{2}))?(Z|[+-]\d{2}:?\d{2})?/g)) {
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ? m[7] : 'Z'}`;
    const at = Date.parse(iso);
    if (!Number.isNaN(at) && (!newest || at > newest.at)) newest = { at, found: backupNamed(listOutput, m.index, m[0]) };
  }
  if (!newest) return undefined;
  const ageMs = now.getTime() - newest.at;
  return { ageMs, text: `${formatAge(ageMs)} old`, found: newest.found };
}

/** What the operator recognises a backup by: the file name holding the date, else its listing line. */
function backupNamed(listOutput: string, at: number, date: string): string {
  const start = listOutput.lastIndexOf('\n', at) + 1;
  const end = listOutput.indexOf('\n', at);
  const line = listOutput.slice(start, end < 0 ? undefined : end).trim();
  const token = line.split(/\s+/).find((t) => t.includes(date));
  const named = token ?? line;
  return named.length > 120 ? `${named.slice(0, 117)}...` : named;
}

/** 35 minutes, 5 hours, 3 days: how an age reads in a step's title and result. */
export function formatAge(ms: number): string {
  const mins = Math.round(ms / 60_000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  return mins < 120 ? plural(mins, 'minute') : mins < 48 * 60 ? plural(Math.round(mins / 60), 'hour') : plural(Math.round(mins / 1440), 'day');
}

/** The backup check's verdict on `backup.list` output: what the step records, or why it fails. */
export function judgeBackupList(listOutput: string, now: Date, maxAgeMs: number, purpose: 'undo' | 'restore' = 'undo'): { ok: boolean; detail: string } {
  const newest = newestBackupAge(listOutput, now);
  if (!newest) {
    const consequence = purpose === 'restore' ? 'there is nothing to restore from' : 'no recent backup can be confirmed';
    return { ok: false, detail: `backup.list printed no backup with a date (e.g. app-20240501-120000.dump): ${consequence}` };
  }
  if (newest.ageMs < -5 * 60_000) {
    return { ok: false, detail: `the newest backup's date (${newest.found}) is in the future by this machine's clock: its age cannot be judged` };
  }
  const age = newest.ageMs < 0 ? 'just taken' : newest.text;
  if (newest.ageMs > maxAgeMs) {
    const next =
      purpose === 'restore'
        ? 'restoring it loses everything written since then; skip this check with a reason to restore it anyway'
        : 'take a fresh one (migrations.backup.create) and retry, or skip this check with a reason to go on without it';
    return { ok: false, detail: `the newest backup (${newest.found}) is ${age}, older than migrations.backup.maxAge (${formatAge(maxAgeMs)}): ${next}` };
  }
  return { ok: true, detail: `newest backup ${newest.found}, ${age}` };
}
