import { analyzeFile } from '../../app/analyze';
import { CLASS_LABEL, renderReportMarkdown } from '../../core/classify';
import type { MigrationVerdict } from '../../core/migrations/types';
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { EXIT } from '../exitCodes';
import { JSON_OPTION } from './shared';

const STYLE = { safe: 'green', mitigate: 'yellow', unknown: 'yellow', destructive: 'red' } as const;

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  usage: 'FILE... [--report] [--json]',
  summary: 'classify migrations for a code rollback; exit 1 when any is destructive or unknown (a CI gate)',
  description: `Classifies each migration file as the extension's Analyze Migration does: every statement
of its up path is safe, needs a mitigation, is destructive for a code rollback (the previous
release's code breaks on the new schema, or data is lost), or unknown; each finding is printed
at FILE:LINE:COLUMN with its rule, its reason and the fix when there is one. A file the
migration detection does not list is read as the migration its text says it is.

Exit 0 when every file is safe or needs only a mitigation, 1 when any is destructive or
unknown, 3 when a file cannot be analysed (missing, outside the repository, not a migration).

Example (before a migration ships):
  rollback-pilot analyze migrations/20250101_drop_legacy.sql`,
  options: [{ name: 'report', help: 'print the full Markdown report (the down path too) for each file' }, JSON_OPTION],
  async run(ctx, options, files) {
    if (files.length === 0) throw new UsageError('analyze: name at least one migration file');
    const s = await ctx.services();
    const t = ctx.term;
    const verdicts: MigrationVerdict[] = [];
    const problems: string[] = [];
    for (const file of files) {
      const r = await analyzeFile(s.workspace, file);
      if ('problem' in r) problems.push(r.problem);
      else verdicts.push(r.verdict);
    }
    if (options.json) {
      t.out(s.redactor.redact(JSON.stringify({ verdicts, problems }, null, 2)));
    } else {
      for (const v of verdicts) {
        if (options.report) {
          t.out(s.redactor.redact(renderReportMarkdown(v)));
          continue;
        }
        t.out(`${v.migration.file}: ${t.style(CLASS_LABEL[v.class], STYLE[v.class], 'out')} (${v.migration.tool})`);
        for (const f of v.findings.filter((x) => x.direction === 'up' && x.class !== 'safe')) {
          t.out(s.redactor.redact(`  ${v.migration.file}:${f.line}:${f.column}: ${f.class} [${f.rule}] ${f.reason}${f.fix ? ` Fix: ${f.fix}` : ''}`));
        }
      }
      for (const p of problems) t.err(t.style(`Error: ${s.redactor.redact(p)}`, 'red'));
    }
    if (verdicts.some((v) => v.class === 'destructive' || v.class === 'unknown')) return EXIT.failed;
    return problems.length ? EXIT.refused : EXIT.ok;
  },
};
