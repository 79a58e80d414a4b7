import { environmentCwd } from '../../app/environments';
import { recordSnapshot } from '../../app/snapshot';
import type { CliCommand } from '../command';
import { EXIT } from '../exitCodes';
import { ENV_OPTION, environmentPrologue } from './shared';

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
    const started = await environmentPrologue(ctx, options);
    if ('exit' in started) return started.exit;
    const { s, env } = started;
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
