// Row counts of the tables a restore touches, before and after it: a restore that came back
// empty is worse than none, and the operator should see what the backup cost in rows.

/** `table | rows` lines as psql prints them (aligned or unaligned); headers and footers ignored. */
export function parseRowCounts(output: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of output.matchAll(/^\s*([\w.]+)\s*\|\s*(\d+)\s*$/gm)) counts.set(m[1], Number(m[2]));
  return counts;
}

export interface RowCountVerdict {
  ok: boolean;
  detail: string;
}

/** Fails when a table that had rows before the restore has none after it, or a count cannot be read. */
export function compareRowCounts(beforeOutput: string | undefined, afterOutput: string): RowCountVerdict {
  const after = parseRowCounts(afterOutput);
  if (after.size === 0) return { ok: false, detail: 'no row counts could be read from the output (expected lines like "orders | 42")' };
  const before = beforeOutput === undefined ? new Map<string, number>() : parseRowCounts(beforeOutput);
  const emptied: string[] = [];
  const parts = [...after].map(([table, rows]) => {
    const was = before.get(table);
    if (was !== undefined && was > 0 && rows === 0) emptied.push(`${table} (${was} rows before)`);
    return was === undefined ? `${table} ${rows}` : `${table} ${was} → ${rows}`;
  });
  const summary = `rows before → after the restore: ${parts.join(', ')}`;
  if (emptied.length) return { ok: false, detail: `came back empty: ${emptied.join(', ')}; ${summary}` };
  return { ok: true, detail: summary };
}
