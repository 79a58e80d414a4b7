// The end-of-run hook (AfterRun) the composition root wires to the Releases view's
// environment line: told once at every end of a single host's run where the host may have
// changed (a run stopped part way, a resumed run that finished), in plain Node over the
// fixture shop deployed in a clone beside the workspace (real git, real /bin/sh).
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { runRollbackFlow } from '../../../src/app/rollbackFlow';
import { resumeFlow } from '../../../src/app/resumeFlow';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { appServices } from './harness';
import { appFixture, type AppFixture } from './fixture';

const fixtures: AppFixture[] = [];

describe('after a single host\'s run ends, the hook is told which environment to read again', { timeout: 300_000 }, () => {
  afterEach(() => {
    while (fixtures.length) fixtures.pop()!.cleanup();
  });

  test('a run stopped before its destructive step, then resumed to the end: told once after each, with the environment', async () => {
    const f = await appFixture({ separateTarget: true, downSteps: true });
    fixtures.push(f);
    const told: string[] = [];
    const first = new ScriptedDialogs({ typed: () => undefined });
    const a = appServices(f.workspace, () => first);
    const outcome = await runRollbackFlow({ ...a.flow, afterRun: (environment) => told.push(`run:${environment}`) }, a.ui, { pickTarget: false });
    assert.equal(outcome.result?.success, false, `${outcome.stoppedBecause}; ${first.errors.join(' | ')}`);
    assert.deepEqual(told, ['run:local'], 'a run that did not finish may have changed the host: told too');
    a.dispose();

    const second = new ScriptedDialogs();
    const b = appServices(f.workspace, () => second);
    const resumed = await resumeFlow(b.sessions, b.ui, undefined, undefined, (environment) => told.push(`resume:${environment}`));
    assert.equal(resumed.result?.success, true, `${resumed.result?.state}; ${second.errors.join(' | ')}`);
    assert.deepEqual(told, ['run:local', 'resume:local']);
    // Nothing ran: nothing is told.
    const none = await resumeFlow(b.sessions, b.ui, undefined, undefined, (environment) => told.push(`none:${environment}`));
    assert.equal(none.stoppedBecause, 'nothing to resume');
    assert.deepEqual(told, ['run:local', 'resume:local']);
    b.dispose();
  });
});
