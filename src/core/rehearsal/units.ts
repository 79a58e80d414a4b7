// Which steps of a plan a rehearsal can run on the scratch database, and with what SQL: the
// mitigations and the down steps that feed SQL to migrations.sql run exactly their stdin; a
// down step through the tool's own command (alembic downgrade …) runs the SQL its preview
// command prints, when migrations.preview is one that prints SQL. Everything else is listed
// with why it is not rehearsed.

import type { PlanCommand, PlanStep, RollbackPlan } from '../plan/types';

export interface RehearsalUnit {
  stepId: string;
  title: string;
  /** The SQL to run; undefined: not rehearsed (see note). */
  sql?: string;
  /** Where the SQL comes from, or why the step is not rehearsed. */
  note: string;
  /** The whole SQL is one transaction in production (psql -1 / --single-transaction). */
  singleTransaction?: boolean;
}

/** A down step through the tool's command: the preview step whose output is its SQL. */
export interface PreviewNeed {
  stepId: string;
  command: PlanCommand;
}

const SINGLE_TRANSACTION = /(^|\s)(-1|--single-transaction)(\s|$)/;

/** The preview commands to run on the target first (they only print SQL), for the down steps that run a tool command. */
export function previewsNeeded(plan: RollbackPlan, previewConfigured: boolean): PreviewNeed[] {
  if (!previewConfigured) return [];
  const out: PreviewNeed[] = [];
  for (const s of plan.steps) {
    if (!s.id.startsWith('db-down-') || s.commands.length === 0 || s.commands[0].input !== undefined) continue;
    const preview = plan.steps.find((p) => p.id === `db-preview-${s.id.slice('db-down-'.length)}`);
    if (preview?.commands[0]) out.push({ stepId: s.id, command: preview.commands[0] });
  }
  return out;
}

const NOT_SQL: Array<{ test: (s: PlanStep) => boolean; note: string }> = [
  { test: (s) => s.id === 'db-summary', note: '' },
  { test: (s) => s.id.startsWith('db-preview-'), note: '' },
  { test: (s) => s.id === 'db-tool-status', note: '' },
  { test: (s) => s.id === 'db-backup-check', note: 'checks the backup on the target; nothing to rehearse' },
  { test: (s) => s.id === 'db-restore' || s.id.startsWith('db-stop-writer') || s.id === 'db-count-rows' || s.id.startsWith('db-verify-'), note: 'part of the backup restore, which replaces the database as a whole: not rehearsed statement by statement' },
];

/** The plan's database steps as rehearsal units, in plan order; `previews` holds the SQL each tool down step's preview printed. */
export function rehearsalUnits(plan: RollbackPlan, sqlCommand: string | undefined, previews: Record<string, { sql?: string; problem?: string; command: string }> = {}): RehearsalUnit[] {
  const single = !!sqlCommand && SINGLE_TRANSACTION.test(sqlCommand);
  const units: RehearsalUnit[] = [];
  for (const s of plan.steps) {
    if (s.kind !== 'database') continue;
    const skip = NOT_SQL.find((n) => n.test(s));
    if (skip) {
      if (skip.note) units.push({ stepId: s.id, title: s.title, note: skip.note });
      continue;
    }
    const stdin = s.commands.find((c) => c.input !== undefined);
    if (stdin) {
      units.push({ stepId: s.id, title: s.title, sql: stdin.input, note: `the SQL the step feeds to \`${stdin.command}\``, ...(single ? { singleTransaction: true } : {}) });
      continue;
    }
    if (s.commands.length === 0) {
      units.push({ stepId: s.id, title: s.title, note: 'done by hand (no command in the plan): nothing to rehearse' });
      continue;
    }
    const p = previews[s.id];
    if (p?.sql !== undefined) {
      units.push({ stepId: s.id, title: s.title, sql: p.sql, note: `the SQL its preview printed (\`${p.command}\`); the step itself runs \`${s.commands[0].command}\`` });
    } else {
      units.push({
        stepId: s.id,
        title: s.title,
        note: p?.problem ?? `runs \`${s.commands[0].command}\`, whose SQL is known only through a migrations.preview that prints it (e.g. alembic downgrade {id}:{previous} --sql): not rehearsed`,
      });
    }
  }
  return units;
}
