import { resumeFlow } from '../../app/resumeFlow';
import { resumeListing } from '../../core/run';
import { stringOption, UsageError } from '../args';
import type { CliCommand } from '../command';
import { EXIT } from '../exitCodes';
import { runExitCode } from './run';

export const resumeCommand: CliCommand = {
  name: 'resume',
  usage: '[RUN | --run ID] [--yes]',
  summary: 'continue an interrupted rollback from its journal (finished steps do not run again)',
  description: `Lists what is left of the run (the steps, those with an unknown outcome checked first) and
asks before continuing it, as the extension's Resume Rollback does. RUN is the run id
(.rollback/journals/RUN.json), positional or as --run ID; without it, the only resumable run, or,
when several are, the list of them and the question which one (without a terminal, exit 4:
name it with --run ID). A run started elsewhere
(another operator or machine, or a journal that came with a pull) is said so and needs an
explicit yes.`,
  options: [
    { name: 'run', value: 'ID', help: 'the run to resume (.rollback/journals/ID.json); needed without a terminal when several can be resumed' },
    { name: 'yes', short: 'y', help: 'continue without asking (the typed environment name is still asked)' },
  ],
  async run(ctx, options, positionals) {
    const flag = stringOption(options, 'run');
    if (positionals.length > 1 || (flag !== undefined && positionals.length > 0)) throw new UsageError(`resume takes one run id, not ${positionals.length + (flag === undefined ? 0 : 1)}`);
    const runId = flag ?? positionals[0];
    const s = await ctx.services();
    if (runId !== undefined) {
      const { runs } = await resumeListing(s.sessions.journals);
      if (!runs.some((r) => r.runId === runId)) {
        await s.ui.presenter.error(`No resumable rollback has the id ${runId} in .rollback/journals${runs.length ? ` (resumable: ${runs.map((r) => r.runId).join(', ')})` : ''}.`);
        return EXIT.refused;
      }
    }
    const outcome = await resumeFlow(s.sessions, s.ui, runId, s.flow.fleet);
    if (outcome.stoppedBecause === 'nothing to resume') return EXIT.ok;
    return runExitCode(s, { result: outcome.result, stoppedBecause: outcome.stoppedBecause, plan: outcome.journal?.plan });
  },
};
