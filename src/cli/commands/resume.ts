import { resumeFlow } from '../../app/resumeFlow';
import { resumeListing } from '../../core/run';
import type { CliCommand } from '../command';
import { EXIT } from '../exitCodes';
import { runExitCode } from './run';

export const resumeCommand: CliCommand = {
  name: 'resume',
  usage: '[RUN] [--yes]',
  summary: 'continue an interrupted rollback from its journal (finished steps do not run again)',
  description: `Lists what is left of the run (the steps, those with an unknown outcome checked first) and
asks before continuing it, as the extension's Resume Rollback does. RUN is the run id
(.rollback/journals/RUN.json); without it, the only resumable run. A run started elsewhere
(another operator or machine, or a journal that came with a pull) is said so and needs an
explicit yes.`,
  options: [{ name: 'yes', short: 'y', help: 'continue without asking (the typed environment name is still asked)' }],
  async run(ctx, _options, positionals) {
    const s = await ctx.services();
    const runId = positionals[0];
    if (positionals.length > 1) throw new Error(`resume takes one run id, not ${positionals.length}`);
    if (runId !== undefined) {
      const { runs } = await resumeListing(s.sessions.journals);
      if (!runs.some((r) => r.runId === runId)) {
        await s.ui.presenter.error(`No resumable rollback has the id ${runId} in .rollback/journals${runs.length ? ` (resumable: ${runs.map((r) => r.runId).join(', ')})` : ''}.`);
        return EXIT.refused;
      }
    }
    const outcome = await resumeFlow(s.sessions, s.ui, runId);
    if (outcome.stoppedBecause === 'nothing to resume') return EXIT.ok;
    return runExitCode(s, { result: outcome.result, stoppedBecause: outcome.stoppedBecause, plan: outcome.journal?.plan });
  },
};
