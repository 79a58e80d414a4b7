import { planFileOf } from '../../app/planFile';
import { fleetPreviewText } from '../../app/fleetFlow';
import { planRollback, showPlanPreview } from '../../app/rollbackFlow';
import type { UndoPath } from '../../core/database';
import { stringOption, UsageError, type OptionSpec, type ParsedOptions } from '../args';
import type { CliCommand } from '../command';
import { EXIT } from '../exitCodes';
import { causeOption, DECISION_OPTIONS, remedyOption } from './decisionFlags';
import { configErrors, ENV_OPTION, JSON_OPTION } from './shared';

export const TARGET_OPTIONS: OptionSpec[] = [
  ENV_OPTION,
  { name: 'to', value: 'REF', help: 'the release to return to (a tag, or a commit a release is at); default: the last-known-good' },
  { name: 'pick', help: 'choose the release from a list instead of the last-known-good' },
  { name: 'reason', value: 'TEXT', help: 'why (one line for the team, the journal and the post-mortem); asked when absent' },
  { name: 'db-undo', value: 'down|restore', help: "how to undo the bad release's migrations when both ways exist; asked when absent" },
  { name: 'diff', help: 'also print the code change (git diff) under the preview' },
];

export function undoOption(options: ParsedOptions): UndoPath | undefined {
  const v = stringOption(options, 'db-undo');
  if (v === undefined) return undefined;
  if (v !== 'down' && v !== 'restore') throw new UsageError(`--db-undo ${v}: use down or restore`);
  return v;
}

export const planCommand: CliCommand = {
  name: 'plan',
  usage: '[--cause code|database|config|unknown [--remedy restore|restart]] [--env E] [--to REF | --pick] [--reason TEXT] [--db-undo down|restore] [--json] [--diff]',
  summary: 'make the rollback plan and print its preview (or, with --json, the plan and its digest); nothing runs',
  description: `Reads the target (what it runs, its snapshot, the team's records) and makes the plan the
extension would preview for Revert Last Deploy (or Roll Back to Release… with --to/--pick):
the same steps and the same Markdown preview. With --json it prints the plan file for
rollback-pilot run --plan FILE --digest D: the plan and its preview (redacted), the facts it
was made on, and the digest of the plan.

--cause is the decision to roll back and what changed, as run asks it (code: the git
rollback, the default; database: the migrations first; config: restore the config files
and recreate the services, or with --remedy restart just restart them; unknown: the full
rollback). The plan is made on that branch, and the plan file keeps the decision and its
time: run --plan rebuilds the plan on the same branch and journals the decision as made
then (the post-mortem's "Decision to roll back"), without asking again.

Example:
  rollback-pilot plan --env production --reason "5xx since v1.4.0" --json > plan.json
  rollback-pilot run --plan plan.json --digest "$(jq -r .digest plan.json)"`,
  options: [...DECISION_OPTIONS, ...TARGET_OPTIONS, JSON_OPTION],
  readsOperatorAlongside: true,
  async run(ctx, options) {
    const cause = causeOption(options);
    let remedy = remedyOption(options);
    const decidedAt = new Date().toISOString();
    const s = await ctx.services();
    const refused = await configErrors(s, ctx.term);
    if (refused !== undefined) return refused;
    if (cause === 'configuration' && !remedy) {
      // Asked as run asks it (without a terminal: refused, naming --remedy).
      const { config } = await s.workspace.config();
      remedy = await s.ui.prompter.chooseConfigRemedy(config.environments.some((e) => e.configFiles.length > 0));
      if (!remedy) return EXIT.refused;
    }
    if (options.pick && options.to) throw new UsageError('plan: --to and --pick both choose the target; give one');
    const reason = stringOption(options, 'reason') ?? (await s.ui.prompter.reason());
    if (!reason) return EXIT.refused;
    const planned = await planRollback(s.flow, s.ui, reason, { environment: stringOption(options, 'env'), targetRef: stringOption(options, 'to'), pickTarget: options.pick === true, ...(cause ? { cause } : {}), ...(remedy ? { remedy } : {}) });
    if ('stoppedBecause' in planned) return EXIT.refused;
    const { previewed } = planned;
    if (options.json) {
      ctx.term.out(JSON.stringify(planFileOf(previewed, s.redactor, cause && { cause, ...(remedy ? { remedy } : {}), decidedAt }), null, 2));
      return EXIT.ok;
    }
    // A fleet's preview as the extension shows it: every host's preflight, the batches, the playbook and the first batch's --check run.
    const fleet = planned.fleet;
    await showPlanPreview(s.workspace, s.ui.presenter, previewed.plan, fleet ? await fleetPreviewText(fleet, s.sessions) : s.redactor.redact(previewed.preview));
    if (fleet?.preflight?.refusal) {
      await s.ui.presenter.error(fleet.preflight.refusal);
      return EXIT.refused;
    }
    ctx.term.err(`Digest ${previewed.digest}. Nothing ran. To run this plan later, unchanged: rollback-pilot plan … --json > plan.json, then rollback-pilot run --plan plan.json --digest <its digest>.`);
    return EXIT.ok;
  },
};
