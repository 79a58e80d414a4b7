import type { GitPort } from './gitPort';
import { GitPortError, isFullSha } from './gitErrors';

/**
 * The snapshot comes from a file on the target (or the records) and may be a short SHA,
 * carry whitespace, or be garbage: resolve it locally to a full SHA, or explain.
 */
export async function resolveSnapshot(git: GitPort, raw: string, notes: string[]): Promise<string | undefined> {
  const text = raw.trim();
  if (isFullSha(text)) return text;
  if (text === '') {
    notes.push('The pre-deploy snapshot is empty: record a new snapshot before the next deploy');
    return undefined;
  }
  try {
    return await git.revParseCommit(text);
  } catch (e) {
    if (!(e instanceof GitPortError) || e.kind === 'git-missing') throw e;
    notes.push(`The pre-deploy snapshot "${text.slice(0, 80)}" does not name a commit of this repository (${e.message}); record a new snapshot`);
    return undefined;
  }
}
