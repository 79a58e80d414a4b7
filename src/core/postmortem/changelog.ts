import { patternsOnly, type Redactor } from '../redact/redactor';

export interface ChangelogNoteContext {
  from: string;
  to: string;
  /** YYYY-MM-DD */
  date: string;
  reason: string;
  environment?: string;
  /** Workspace-relative path of the post-mortem, linked from the note. */
  postmortemPath?: string;
  /** The product's redactor (known secret values too); without it the pattern families alone. */
  redactor?: Pick<Redactor, 'redact'>;
  /** A fleet rollout's per-host state (postmortem/fleet.ts fleetChangelogLines): indented under the note. */
  fleet?: string[];
}

const HEADING = '### Rolled back';

/** The note is committed with the CHANGELOG; its reason was typed by a person, so it is redacted. */
export function changelogNote(ctx: ChangelogNoteContext): string {
  return noteLines(ctx).join('\n');
}

/** The note's headline, then a fleet's per-host lines under it, one line each. */
function noteLines(ctx: ChangelogNoteContext): string[] {
  const redactor = ctx.redactor ?? patternsOnly;
  const env = ctx.environment ? ` on ${ctx.environment}` : '';
  const link = ctx.postmortemPath ? ` See the [post-mortem](${ctx.postmortemPath}).` : '';
  const reason = redactor.redact(ctx.reason).replace(/\r?\n/g, ' ').trim();
  const headline = redactor.redact(`- ${ctx.date}: ${ctx.from} was rolled back to ${ctx.to}${env} because ${reason}.${link}`);
  return [headline, ...(ctx.fleet ?? []).map((l) => redactor.redact(`  - ${l.replace(/\r?\n/g, ' ').trim()}`))];
}

/**
 * The CHANGELOG with a rollback note under its top release section (Keep a Changelog
 * style: the first `## ` heading), in a `### Rolled back` group. Returns the text
 * unchanged when the same note is already there, so proposing twice is harmless.
 * A fleet's note carries each host's batch and outcome on indented lines under it.
 */
export function proposeChangelogNote(changelogText: string, ctx: ChangelogNoteContext): string {
  const eol = changelogText.includes('\r\n') ? '\r\n' : '\n';
  const note = noteLines(ctx);
  const lines = changelogText.length ? changelogText.split(/\r?\n/) : [];
  const there = lines.findIndex((l) => l.trim() === note[0]);
  if (there >= 0) {
    // The same rollback's note: kept as it is; a fleet's has its host lines brought up to date (after a resume), nothing else under it touched.
    if (note.length === 1) return changelogText;
    let end = there + 1;
    while (end < lines.length && /^\s+- /.test(lines[end])) end++;
    if (lines.slice(there + 1, end).join('\n') === note.slice(1).join('\n')) return changelogText;
    lines.splice(there + 1, end - there - 1, ...note.slice(1));
    return lines.join(eol);
  }

  const top = lines.findIndex((l) => /^##\s/.test(l));
  if (top < 0) {
    // No release section yet: start one under the title, or start the file.
    const block = ['## [Unreleased]', '', HEADING, '', ...note];
    const title = lines.findIndex((l) => /^#\s/.test(l));
    if (title < 0) return [...['# Changelog', '', ...block, ''], ...(lines.length ? lines : [''])].join(eol).replace(/(\r?\n)+$/, eol);
    lines.splice(title + 1, 0, '', ...block);
    return lines.join(eol);
  }
  const nextSection = lines.findIndex((l, i) => i > top && /^##\s/.test(l));
  const sectionEnd = nextSection < 0 ? lines.length : nextSection;
  const group = lines.findIndex((l, i) => i > top && i < sectionEnd && l.trim().toLowerCase() === HEADING.toLowerCase());
  if (group >= 0) {
    let at = group + 1;
    while (at < sectionEnd && lines[at]?.trim() === '') at++;
    lines.splice(at, 0, ...note);
  } else {
    lines.splice(top + 1, 0, '', HEADING, '', ...note);
  }
  return lines.join(eol);
}
