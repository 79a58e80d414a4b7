// The preview's "Host files" section: what of the target's own files the code step would
// overwrite and the stash would move, and what the plan does about each, before anyone confirms.
import { restoreByHandCommand, restoreOneByHandCommand } from './hostFiles';
import type { RollbackPlan } from './types';

/** Inline code that survives backticks in a file name. */
function code(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${ticks.length > 1 ? ' ' : ''}${text}${ticks.length > 1 ? ' ' : ''}${ticks}`;
}

const MAX_LISTED = 200;

export function renderHostFilesSection(plan: RollbackPlan): string[] {
  const hf = plan.hostFiles;
  if (!hf) return [];
  const cwd = plan.cwd ?? '.';
  const out: string[] = ['## Host files', ''];
  const found = hf.found;
  if (!found) {
    out.push(`Not read before this preview. Right before the code step, the save step copies every ignored or untracked file the code step would overwrite to ${code(`${hf.savedIn}/files/`)} and puts it back afterwards; its output in the journal lists them.`, '');
  } else if (found.error) {
    out.push(`⚠️ The target's files could not be read for this preview (${found.error}). The save step still looks right before the code step and saves what it finds in ${code(`${hf.savedIn}/files/`)}.`, '');
  } else if (found.wouldOverwrite.length === 0) {
    out.push(`On ${code(plan.where)} in ${code(cwd)}, no ignored or untracked file is at a path ${plan.to.name} tracks: the code step overwrites none of the host's own files. The save step looks again right before it runs.`, '');
  } else {
    out.push(`The code step would overwrite these files of ${code(plan.where)} in ${code(cwd)}, which git does not track there now (read just now; the save step looks again right before the code step). Each is copied to ${code(`${hf.savedIn}/files/`)} (same path, mode and bytes) first:`, '');
    for (const f of found.wouldOverwrite.slice(0, MAX_LISTED)) {
      const how = f.kind === 'ignored' ? 'ignored: stays in place until the code step overwrites it' : 'untracked: moved aside, git would refuse to overwrite it';
      const after = hf.releaseWins.includes(f.path)
        ? `the plan restores it from ${plan.to.name} (configFiles), so ${plan.to.name}'s version stays; to put the host's copy back: ${code(restoreOneByHandCommand(cwd, plan.id, f.path))}`
        : "put back after the code step (the host's version wins)";
      out.push(`- ${code(f.path)} — ${how}; ${after}.`);
    }
    if (found.wouldOverwrite.length > MAX_LISTED) out.push(`- … and ${found.wouldOverwrite.length - MAX_LISTED} more (all saved the same way).`);
    out.push('', `To put every saved file back by hand: ${code(restoreByHandCommand(cwd, plan.id))}`, '');
  }
  if (found?.blocked.length) {
    out.push('⚠️ The save step will refuse, so the code step does not run, until these are dealt with by hand:', '');
    for (const b of found.blocked.slice(0, MAX_LISTED)) out.push(`- ${b}`);
    out.push('');
  }
  if (found?.wouldMove.length) {
    out.push(`The stash puts away uncommitted changes to these tracked files (git stash list, "rollback-pilot: ${plan.id}"; back with git stash pop):`, '');
    for (const p of found.wouldMove.slice(0, MAX_LISTED)) out.push(`- ${code(p)}`);
    if (found.wouldMove.length > MAX_LISTED) out.push(`- … and ${found.wouldMove.length - MAX_LISTED} more`);
    out.push('');
  }
  out.push('Other untracked and ignored files (uploads, logs, caches) stay where they are: the stash takes tracked changes only, and nothing else moves them.', '');
  return out;
}
