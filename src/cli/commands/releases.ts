import type { Release } from '../../core/releases';
import { stringOption } from '../args';
import type { CliCommand } from '../command';
import { EXIT } from '../exitCodes';
import type { Terminal } from '../terminal';
import { configErrors, JSON_OPTION } from './shared';

/** One release per line: name, marks, SHA, date, subject. */
export function releaseLines(releases: Release[], term: Terminal): string[] {
  const width = Math.min(32, Math.max(8, ...releases.map((r) => r.name.length)));
  return releases.map((r) => {
    const marks = r.markers.map((m) => term.style(m, m === 'bad' ? 'red' : m === 'deployed' ? 'cyan' : m === 'last-known-good' ? 'green' : 'dim', 'out')).join(', ');
    const bad = r.markers.includes('bad') && r.badReason ? ` (bad: ${r.badReason})` : '';
    return `${r.name.padEnd(width)}  ${r.sha.slice(0, 12)}  ${r.date.slice(0, 10)}  ${marks ? `[${marks}] ` : ''}${r.subject ?? ''}${bad}`;
  });
}

export const releasesCommand: CliCommand = {
  name: 'releases',
  usage: '[--limit N] [--json]',
  summary: 'list the releases with their deployed / last-known-good / bad marks (this repository and its records)',
  description: `Lists the releases as the extension's Releases view does: tags matching releases.tags in
rollback.yml (default v*), newest first, with the marks from the deploy records, the pre-deploy
snapshot and the bad marks. Nothing is read from a target (rollback-pilot status does that).`,
  options: [{ name: 'limit', value: 'N', help: 'print the newest N (default 30; 0 = all)' }, JSON_OPTION],
  readsOperatorAlongside: true,
  async run(ctx, options) {
    const s = await ctx.services();
    const refused = await configErrors(s, ctx.term);
    if (refused !== undefined) return refused;
    const listing = await s.workspace.releases();
    if (options.json) {
      ctx.term.out(s.redactor.redact(JSON.stringify({ releases: listing.releases, notes: listing.notes }, null, 2)));
      return EXIT.ok;
    }
    const limitText = stringOption(options, 'limit') ?? '30';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) throw new Error(`--limit ${limitText} is not a whole number`);
    const shown = limit === 0 ? listing.releases : listing.releases.slice(0, limit);
    for (const note of listing.notes) ctx.term.err(s.redactor.redact(note));
    ctx.term.out(s.redactor.redact(releaseLines(shown, ctx.term).join('\n') || 'No releases: no tag matches the release pattern.'));
    if (shown.length < listing.releases.length) ctx.term.err(`… ${listing.releases.length - shown.length} older releases (--limit 0 shows all)`);
    return EXIT.ok;
  },
};
