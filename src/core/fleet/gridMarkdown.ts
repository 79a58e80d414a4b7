// The host × step grid as Markdown (the resume preview, the post-mortem): one row per host in
// fleet order with its batch, one column per host step, each cell its outcome in a word.
import type { FleetGrid } from './grid';
import type { HostStepOutcome } from './types';

const WORD: Record<HostStepOutcome, string> = {
  'not-started': '·',
  running: 'running',
  ok: 'ok',
  failed: '**failed**',
  skipped: 'skipped',
  unknown: '**unknown**',
};

/** A cell's text must not end the table: pipes and line breaks in a step title are escaped. */
function cellText(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function gridMarkdown(grid: FleetGrid): string[] {
  const head = `| Host | Batch | ${grid.steps.map((s) => cellText(s.title)).join(' | ')} |`;
  const rule = `|---|---|${grid.steps.map(() => '---').join('|')}|`;
  const rows = grid.hosts.map((h) => {
    const row = grid.rows.get(h)!;
    return `| \`${cellText(h)}\` | ${row.batch ?? '–'} | ${grid.steps.map((s) => WORD[row.cells[s.id]?.outcome ?? 'not-started']).join(' | ')} |`;
  });
  return [head, rule, ...rows];
}
