// A local target in the workspace's own folder is this repository: the plan's facts read its
// HEAD once (with the local facts), not a second time as "the target", and a HEAD that moves
// after the preview is still refused at run start. Real repository, the real planning sources
// and builder the flow uses.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { previewPlan, rebuildAndCompare, type PlanningSources } from '../../../src/app/currentPlan';
import { planBuilder, planningSources } from '../../../src/app/planning';
import type { RollbackDialogs } from '../../../src/app/ui';
import type { RollbackConfig } from '../../../src/core/config/types';
import { StalePlanError } from '../../../src/core/plan/staleness';
import { findDeployed, findLastKnownGood } from '../../../src/core/releases';
import { makeAppRepo } from '../../fixtures/appRepo';
import { HeadReadCounter } from '../engine/helpers';
import { tempDir } from '../releases/gitFixture';
import { appServices, type AppServices } from './harness';

void describe('the target\'s HEAD, when the target is the workspace itself', () => {
  const tmp = tempDir('target-head-once');
  let root: string;
  let s: AppServices;

  before(async () => {
    root = `${tmp.path}/app`;
    await makeAppRepo(root, { apiPort: 1, workerPort: 2, withMergeCommit: false });
    // Nothing is asked in these tests: dialogs without a single answer.
    s = appServices(root, () => ({}) as RollbackDialogs);
  });
  after(() => {
    s.dispose();
    tmp.remove();
  });

  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

  /** The planning sources, counting the target reads (`git rev-parse HEAD` over the target's runner). */
  function counted(): { sources: PlanningSources; reads: () => number } {
    const inner = planningSources(s.workspace, s.sessions);
    const counter = new HeadReadCounter();
    return { sources: { ...inner, targetRunner: (where) => counter.wrap(inner.targetRunner(where)) }, reads: () => counter.reads };
  }

  void it('knows which places are the workspace: a local target in its folder, not another folder, not a host', async () => {
    const { config } = await s.workspace.config();
    const sources = planningSources(s.workspace, s.sessions);
    const env = config.environments[0];
    const variant = (e: Partial<RollbackConfig['environments'][number]>): RollbackConfig => ({ ...config, environments: [{ ...env, ...e }] });
    assert.equal(sources.targetPlace?.(config, env.name)?.isWorkspace, true);
    assert.equal(sources.targetPlace?.(variant({ path: `${root}/` }), env.name)?.isWorkspace, true, 'the same folder written another way');
    assert.equal(sources.targetPlace?.(variant({ path: tmp.path }), env.name)?.isWorkspace, false);
    assert.equal(sources.targetPlace?.(variant({ host: 'deploy@app.example' }), env.name)?.isWorkspace, false);
  });

  void it('reads HEAD once for the preview, and refuses the run when HEAD moved after it', async () => {
    const { config } = await s.workspace.config();
    const env = config.environments[0];
    const listing = await s.workspace.releases();
    const request = { environment: env.name, from: findDeployed(listing), to: findLastKnownGood(listing)!.release };
    const { sources, reads } = counted();
    const build = planBuilder(s.workspace, s.sessions, { reason: 'api 500s', targetSource: 'previous-tag', createdBy: 'dana@laptop' });
    const previewed = await previewPlan(sources, build, request, () => Promise.reject(new Error('no database question')));
    const head = git('rev-parse', 'HEAD');
    assert.equal(previewed.facts.target, head, 'the target is at the workspace HEAD');
    assert.equal(previewed.facts.head, head);
    assert.equal(reads(), 0, 'no second read of the same HEAD as "the target"');

    git('commit', '-q', '--allow-empty', '-m', 'someone committed meanwhile');
    const moved = git('rev-parse', 'HEAD');
    const refused = await rebuildAndCompare(sources, build, previewed).then(
      () => assert.fail('the run must be refused'),
      (e: unknown) => e,
    );
    assert.ok(refused instanceof StalePlanError, String(refused));
    assert.ok(refused.differences.some((d) => d.includes(moved.slice(0, 12))), refused.differences.join('\n'));
  });
});
