import type { MigrationClass, MigrationFinding, MigrationVerdict } from '../migrations/types';

export const CLASS_LABEL: Record<MigrationClass, string> = {
  safe: 'safe to leave',
  mitigate: 'needs mitigation',
  destructive: 'destructive',
  unknown: 'unknown — review by hand',
};

/** "3 migrations: 2 safe to leave, 1 needs mitigation" (worst classes last, zero counts left out). */
export function summarize(verdicts: MigrationVerdict[]): string {
  const n = verdicts.length;
  if (n === 0) return 'no migrations';
  const order: MigrationClass[] = ['safe', 'mitigate', 'unknown', 'destructive'];
  const parts = order
    .map((c) => [c, verdicts.filter((v) => v.class === c).length] as const)
    .filter(([, count]) => count > 0)
    .map(([c, count]) => `${count} ${CLASS_LABEL[c]}`);
  return `${n} migration${n === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** Tooltip text for a tree node: the class and the worst findings' statements and reasons. */
export function verdictTooltip(v: MigrationVerdict): string {
  const worst = v.findings.filter((f) => f.direction === 'up' && f.class === v.class).slice(0, 3);
  const lines = worst.map((f) => `line ${f.line}: ${oneLine(f.statement, 80)} — ${f.reason}`);
  return [`${CLASS_LABEL[v.class]}`, ...lines].join('\n');
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function findingRows(findings: MigrationFinding[]): string[] {
  if (!findings.length) return ['_No statements._'];
  const rows = ['| Line | Statement | Class | Rule | Reason | Fix | Fix risk |', '|---|---|---|---|---|---|---|'];
  for (const f of findings) {
    rows.push(
      `| ${f.line}:${f.column} | \`${mdCell(oneLine(f.statement, 120)) || '—'}\` | ${CLASS_LABEL[f.class]}${f.confidence === 'text' ? ' (text only)' : ''} | \`${f.rule}\` | ${mdCell(f.reason)} | ${f.fix ? `\`${mdCell(f.fix)}\`` : '—'} | ${f.fixRisk ? mdCell(f.fixRisk) : '—'} |`,
    );
  }
  return rows;
}

/** The "Analyze Migration" report. */
export function renderReportMarkdown(v: MigrationVerdict): string {
  const up = v.findings.filter((f) => f.direction === 'up');
  const down = v.findings.filter((f) => f.direction === 'down');
  const fixes = up.filter((f) => f.class === 'mitigate' && f.fix).map((f) => f.fix!);
  const lostOnDown = down.filter((f) => f.class === 'destructive');
  const out = [
    `# ${v.migration.file}`,
    '',
    `**${CLASS_LABEL[v.class]}** — ${v.migration.tool} migration \`${v.migration.id}\`.`,
    '',
    '## Up (what the rolled-back code will find in the database)',
    '',
    ...findingRows(up),
    '',
  ];
  if (fixes.length) out.push('### Mitigation to run before switching the code back', '', '```sql', ...fixes, '```', '');
  out.push('## Down path', '');
  if (lostOnDown.length) {
    out.push(`> **Data loss:** running the down step loses data the new release wrote (${lostOnDown.map((f) => `line ${f.line}`).join(', ')}).`, '');
  }
  out.push(...findingRows(down), '');
  return out.join('\n');
}
