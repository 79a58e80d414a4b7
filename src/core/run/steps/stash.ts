import type { PlanStep } from '../../plan/types';
import type { StepContext } from './context';

/** After a stash step: which stash it made, and how to get it back, into the journal (the final message quotes it). */
export async function recordStash(step: PlanStep, ctx: Pick<StepContext, 'journal' | 'exec' | 'save'> & { event(kind: string, message: string): void }): Promise<void> {
  const { journal } = ctx;
  const cmd = step.commands[0];
  const r = await ctx.exec({ command: "git stash list --format='%gd%x09%s'", where: cmd.where, cwd: cmd.cwd });
  const line = r.stdout.split('\n').find((l) => l.endsWith(step.stashMessage!));
  if (!line) return;
  const ref = line.split('\t')[0];
  journal.stash = {
    ref,
    message: step.stashMessage!,
    restoreHint: `In ${cmd.cwd ?? 'the repository'} on ${cmd.where}: find it with  git stash list | grep -F '${step.stashMessage}'  then  git stash pop ${ref}  (the number shifts if more stashes are made)`,
  };
  ctx.event('stashed', `Uncommitted changes stashed as ${ref} "${step.stashMessage}"`);
  await ctx.save();
}
