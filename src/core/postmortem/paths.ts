import * as path from 'node:path';
import type { RollbackJournal } from '../run/journalTypes';

// The post-mortem's file name is built from a journal, and a journal is a file anyone can
// edit or commit (`decidedAt: "../../etc/x"` once wrote outside the workspace). So the name is
// made only of validated parts: a calendar date parsed from decidedAt and release names cut
// down to a file-name-safe charset, and the result is checked to stay in the folder.

/** Refusal of a journal whose fields cannot name a post-mortem file inside the workspace. */
export class PostmortemPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostmortemPathError';
  }
}

export const POSTMORTEM_DIR = 'docs/postmortems';
const MAX_NAME = 80;

/** A release name as a file-name part: [A-Za-z0-9._-] only, no leading dots or dashes, at most 80 characters. */
export function safeNamePart(s: string): string {
  const cleaned = s
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/[-.]*-[-.]*/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, MAX_NAME)
    .replace(/[-.]+$/, '');
  return cleaned || 'unknown';
}

/** YYYY-MM-DD of an ISO 8601 timestamp that is a real date, else a PostmortemPathError naming the run. */
export function postmortemDate(journal: Pick<RollbackJournal, 'decidedAt'> & { runId?: string }): string {
  const value: unknown = journal.decidedAt;
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value) : null;
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !date || date.getUTCFullYear() !== Number(m[1]) || date.getUTCMonth() !== Number(m[2]) - 1 || date.getUTCDate() !== Number(m[3])) {
    const shown = JSON.stringify(value)?.slice(0, 80) ?? String(value);
    throw new PostmortemPathError(`the journal${journal.runId ? ` of run ${journal.runId}` : ''} has decidedAt ${shown}, which is not an ISO 8601 date (like 2026-11-21T10:00:00Z); no post-mortem file is named from it`);
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * docs/postmortems/<date>-<from>-to-<to>.md, relative to the workspace root, forward slashes.
 * Throws PostmortemPathError when decidedAt is not a date or the result would leave `dir`.
 */
export function defaultPostmortemPath(journal: Pick<RollbackJournal, 'decidedAt' | 'plan'> & { runId?: string }, dir = POSTMORTEM_DIR): string {
  const name = `${postmortemDate(journal)}-${safeNamePart(journal.plan.from.name)}-to-${safeNamePart(journal.plan.to.name)}.md`;
  const folder = dir.replace(/\\/g, '/').replace(/\/+$/, '');
  const rel = `${folder}/${name}`;
  // The parts above cannot hold a separator or "..", but the check is on the result, so a
  // change to them (or a hostile `dir`) cannot get past it.
  const resolvedFolder = path.posix.resolve('/workspace', folder);
  const resolved = path.posix.resolve('/workspace', rel);
  if (path.posix.isAbsolute(folder) || !resolvedFolder.startsWith('/workspace/') || path.posix.dirname(resolved) !== resolvedFolder || resolved.includes('\0')) {
    throw new PostmortemPathError(`the post-mortem path ${JSON.stringify(rel)} is not a file directly inside the workspace folder ${JSON.stringify(folder)}; refusing to write it`);
  }
  return rel;
}

/**
 * The post-mortem's absolute path under `workspaceRoot`, confined to its docs/postmortems
 * folder: resolved, and refused (PostmortemPathError naming both paths) unless it is a file
 * directly in that folder.
 */
export function postmortemPathIn(workspaceRoot: string, journal: Pick<RollbackJournal, 'decidedAt' | 'plan'> & { runId?: string }, dir = POSTMORTEM_DIR): string {
  const rel = defaultPostmortemPath(journal, dir);
  const folder = path.resolve(workspaceRoot, dir);
  const file = path.resolve(workspaceRoot, rel);
  if (path.dirname(file) !== folder || !folder.startsWith(path.resolve(workspaceRoot) + path.sep)) {
    throw new PostmortemPathError(`the post-mortem path ${file} is outside ${folder}; refusing to write it`);
  }
  return file;
}
