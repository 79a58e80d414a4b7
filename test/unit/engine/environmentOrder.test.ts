// "Which environment?": where each choice goes, what runs there, and which one Enter takes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ageText, orderEnvironments, type KnownDeployed } from '../../../src/core/config/environmentOrder';
import type { EnvironmentConfig } from '../../../src/core/config/types';

const env = (name: string, host: string, path = '/opt/app'): EnvironmentConfig => ({ name, host, path, branch: 'main', strategy: 'revert', push: false, configFiles: [], commandTimeoutMs: 60_000 });
const BAD = 'b'.repeat(40);
const GOOD = 'a'.repeat(40);
const now = new Date('2026-12-01T21:00:00Z');

describe('environment picker order and descriptions', () => {
  test('local is listed in rollback.yml first, yet production is the default; each says host:path', () => {
    const choices = orderEnvironments([env('local', 'local', '.'), env('production', 'deploy@prod-1')], { now });
    assert.deepEqual(choices.map((c) => [c.env.name, c.where]), [['production', 'deploy@prod-1:/opt/app'], ['local', 'this machine: .']]);
  });

  test('the environment running the bad release comes first, with what runs there and how old that reading is', () => {
    const known: Record<string, KnownDeployed> = {
      staging: { sha: GOOD, name: 'v1.2.0', readAt: '2026-12-01T20:59:20Z' },
      production: { sha: BAD, name: 'v1.3.0', readAt: '2026-12-01T20:57:00Z' },
    };
    const choices = orderEnvironments([env('local', 'local', '.'), env('staging', 'deploy@stage-1'), env('production', 'deploy@prod-1')], { deployed: (e) => known[e.name], badSha: BAD, now });
    assert.deepEqual(choices.map((c) => c.env.name), ['production', 'staging', 'local']);
    assert.equal(choices[0].deployed, `deployed: v1.3.0 (${BAD.slice(0, 12)}), the release being rolled back · read 3 min ago`);
    assert.equal(choices[1].deployed, `deployed: v1.2.0 (${GOOD.slice(0, 12)}) · read 40 s ago`);
    assert.equal(choices[2].deployed, undefined, 'not read yet: nothing is claimed');
  });

  test('even when the laptop runs the bad release, local is not the default while a real target exists', () => {
    const choices = orderEnvironments([env('local', 'local', '.'), env('production', 'prod1')], { deployed: (e) => (e.name === 'local' ? { sha: BAD, name: BAD.slice(0, 12), readAt: now.toISOString() } : undefined), badSha: BAD, now });
    assert.deepEqual(choices.map((c) => c.env.name), ['production', 'local']);
    assert.equal(choices[1].deployed, `deployed: ${BAD.slice(0, 12)}, the release being rolled back · read 0 s ago`);
  });

  test('only local environments: rollback.yml order', () => {
    assert.deepEqual(orderEnvironments([env('b', 'local'), env('a', 'local')]).map((c) => c.env.name), ['b', 'a']);
  });

  test('property: a permutation of the input; local first only when every environment is local; bad-running targets before the others', () => {
    const arb = fc.array(fc.record({ local: fc.boolean(), bad: fc.boolean() }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(arb, (spec) => {
        const envs = spec.map((s, i) => env(`e${i}`, s.local ? 'local' : `deploy@h${i}`));
        const choices = orderEnvironments(envs, { deployed: (e) => ({ sha: spec[Number(e.name.slice(1))].bad ? BAD : GOOD, name: 'x', readAt: now.toISOString() }), badSha: BAD, now });
        assert.deepEqual(choices.map((c) => c.env.name).sort(), envs.map((e) => e.name).sort());
        if (spec.some((s) => !s.local)) assert.notEqual(choices[0].env.host, 'local');
        const remote = choices.filter((c) => c.env.host !== 'local');
        const firstGood = remote.findIndex((c) => !c.runsBad);
        if (firstGood >= 0) assert.ok(remote.slice(firstGood).every((c) => !c.runsBad), 'no bad-running target after a good one');
      }),
      { numRuns: 300 },
    );
  });

  test('ages read the way a person says them', () => {
    const at = (s: number) => new Date(now.getTime() - s * 1000).toISOString();
    assert.deepEqual([ageText(at(40), now), ageText(at(300), now), ageText(at(7200), now), ageText(at(5 * 86400), now)], ['40 s ago', '5 min ago', '2 h ago', '5 d ago']);
  });
});
