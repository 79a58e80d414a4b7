import { environmentCwd } from '../../app/environments';
import { recordSnapshot } from '../../app/snapshot';
import { stringOption } from '../args';
import type { CliCommand } from '../command';
import { EXIT } from '../exitCodes';
import { chooseEnvironmentName, configErrors, ENV_OPTION, environmentNamed } from './shared';

export const snapshotCommand: CliCommand = {
  name: 'snapshot',
  usage: '[--env E]',
  summary: 'record the pre-deploy snapshot of an environment (run it in the deploy pipeline, before the deploy)',
  description: `What the extension's Record Pre-deploy Snapshot does: reads the commit the target runs,
its tag and branch, whether its tree is dirty, each service's health as the baseline, the free
disk, and copies the configFiles git does not track; writes .rollback/snapshots/<sha>.json there
and records the snapshot here, so the next rollback returns to this release.`,
  options: [ENV_OPTION],
  async run(ctx, options) {
    const s = await ctx.services();
    const refused = await configErrors(s, ctx.term);
    if (refused !== undefined) return refused;
    const { config } = await s.workspace.config();
    const name = await chooseEnvironmentName(s, config, stringOption(options, 'env'));
    if (!name) return EXIT.refused;
    const env = environmentNamed(config, name);
    try {
      const { message } = await recordSnapshot({ workspace: s.workspace, sessions: s.sessions, records: s.records, http: s.http }, { env, cwd: environmentCwd(env, s.root) }, (title, work) => {
        ctx.term.err(title);
        return work();
      });
      s.ui.presenter.info(message);
      return EXIT.ok;
    } catch (e) {
      await s.ui.presenter.error(`No snapshot recorded: ${(e as Error).message}`);
      return EXIT.refused;
    }
  },
};
