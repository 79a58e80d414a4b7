import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readPlanFile, runPlanFile } from '../../app/planFile';
import { runRollbackFlow, type FlowOutcome } from '../../app/rollbackFlow';
import { stringOption, UsageError } from '../args';
import type { CliCommand } from '../command';
import { EXIT } from '../exitCodes';
import type { CliServices } from '../services';
import { TARGET_OPTIONS } from './plan';
import { causeOption, DECISION_OPTIONS, remedyOption } from './decisionFlags';
import { configErrors } from './shared';
import { causeFlagOf } from '../terminalPrompter';

/** The exit code of a rollback run (or resume): finished, did not finish, nothing ran, or stopped for want of a terminal. */
export async function runExitCode(s: CliServices, outcome: { result?: { success: boolean }; plan?: { id: string }; stoppedBecause?: string }): Promise<number> {
  const needsTerminal = s.ui.prompter.refusals.length > 0;
  if (outcome.result) return outcome.result.success ? EXIT.ok : needsTerminal ? EXIT.needsTerminal : EXIT.failed;
  if (outcome.stoppedBecause) return needsTerminal ? EXIT.needsTerminal : EXIT.refused;
  // The run stopped on an error: refused before it began (lock held, digest), or it had started and journaled.
  const started = outcome.plan ? await s.sessions.journals.load(outcome.plan.id).catch(() => undefined) : undefined;
  return started ? EXIT.failed : EXIT.refused;
}

export const runCommand: CliCommand = {
  name: 'run',
  usage: '[--cause code|database|config|unknown [--remedy restore|restart]] [--env E] [--to REF | --pick] [--reason TEXT] [--yes] [--db-undo down|restore] | --plan FILE --digest D',
  summary: 'roll back: decide, plan, preview, confirm, run (or run exactly an approved plan file)',
  description: `Asks what the extension asks, as the runbooks' decision tree has it: roll back, roll forward
or investigate first (a brief investigation is a countdown, rollback.yml decision.investigateFor,
default 5 minutes, after which the question comes back); then what changed: the code (the git
rollback), a migration (the database path first), the configuration (restore the config files
and recreate the services, or restart them) or not sure (the full rollback); then why, which
environment and release, and the plan's confirmation. It prints the preview, then runs the
plan rebuilt from the current facts (or refuses, saying what changed since the preview). The output streams; the journal is
.rollback/journals/<run>.json and the lock is taken on the target, the same ones the extension
uses. Before each destructive step the environment's name must be typed on the terminal:
no flag skips that, and without a terminal the run stops there (exit 4).

With --plan FILE --digest D it runs exactly the plan in FILE (from rollback-pilot plan --json;
--env, if given, must name its environment; a plan made with --cause is rebuilt on that
branch and journaled with the decision's time):
D must be its digest, and the plan rebuilt now must be that plan on the same facts, or
nothing runs (exit 3). --yes confirms the plan (and a resume) without asking. A fleet's plan
file is refused (its hosts, playbook and batches are resolved when it runs): run a fleet with
rollback-pilot run --env E, which previews the rollout (batches, playbook, every host's
preflight, the first batch's --check run) and runs it through ansible-playbook.

Without a terminal the decision is a flag: --cause code|database|config|unknown (with --cause
config, also --remedy restore|restart), and --reason; a question no flag answered refuses
(exit 4) naming the flag, before any plan is made.

The plan's notify steps post to the webhook in ROLLBACK_PILOT_WEBHOOK_URL (the command line
has no secret storage; the URL is never printed) when rollback.yml has notify.webhook: true;
a message not sent is said on stderr with the reason and the text to paste.`,
  options: [...DECISION_OPTIONS, ...TARGET_OPTIONS, { name: 'yes', short: 'y', help: 'confirm the plan without asking (the typed environment name is still asked)' }, { name: 'plan', value: 'FILE', help: 'run exactly this plan file (rollback-pilot plan --json)' }, { name: 'digest', value: 'D', help: 'the digest of the plan in FILE, as approved' }],
  async run(ctx, options) {
    const planPath = stringOption(options, 'plan');
    const digest = stringOption(options, 'digest');
    if ((planPath === undefined) !== (digest === undefined)) throw new UsageError('run: --plan FILE and --digest D go together (the digest is what you approved)');
    if (planPath !== undefined) {
      // --env may stay in a CI script that passes it everywhere: it must then name the plan's environment (checked below).
      const extra = ['to', 'pick', 'reason', 'db-undo', 'cause', 'remedy'].filter((k) => options[k] !== undefined);
      if (extra.length) throw new UsageError(`run --plan: the plan file decides ${extra.map((k) => `--${k}`).join(', ')}; leave ${extra.length === 1 ? 'it' : 'them'} out`);
    }
    if (options.pick && options.to) throw new UsageError('run: --to and --pick both choose the target; give one');
    const s = await ctx.services();
    const refused = await configErrors(s, ctx.term);
    if (refused !== undefined) return refused;
    let outcome: FlowOutcome;
    if (planPath !== undefined && digest !== undefined) {
      const abs = path.resolve(planPath);
      const text = await readFile(abs, 'utf8').catch((e: Error) => {
        throw new Error(`cannot read the plan file ${abs}: ${e.message}`);
      });
      const file = readPlanFile(text, planPath);
      const env = stringOption(options, 'env');
      if (env !== undefined && env !== file.plan.environment) {
        await s.ui.presenter.error(`--env ${env}, but ${planPath} is a plan for ${file.plan.environment}: nothing ran.`);
        return EXIT.refused;
      }
      // What runs, in the log before it runs: the preview the plan was approved with.
      ctx.term.out(file.preview);
      const d = file.decision;
      if (d) ctx.term.err(`Decision (plan --cause, ${d.decidedAt}): roll back; what changed: ${causeFlagOf(d.cause)}${d.remedy ? ` (${d.remedy})` : ''}. Not asked again.`);
      outcome = await runPlanFile(s.flow, s.ui, file, digest, planPath, s.redactor);
    } else {
      const cause = causeOption(options);
      const remedy = remedyOption(options);
      outcome = await runRollbackFlow(s.flow, s.ui, { environment: stringOption(options, 'env'), targetRef: stringOption(options, 'to'), pickTarget: options.pick === true, reason: stringOption(options, 'reason'), ...(cause ? { cause } : {}), ...(remedy ? { remedy } : {}) });
    }
    return runExitCode(s, outcome);
  },
};
