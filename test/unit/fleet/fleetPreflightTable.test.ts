// The fleet preview's host × check table from what the real preflight script says: the
// planner's own preflight step (core/plan/preflight.ts) run by the real shell on real git
// trees, one per "host", each in a state an operator meets — ready, moved off the release,
// no such path, locked by another run, not reachable — and the table and refusal read back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { preflightStep } from '../../../src/core/plan/preflight';
import type { PlanStep, ReleaseRef } from '../../../src/core/plan/types';
import { checkTitles, hostPreflight, preflightRefusal, refusedCheck, renderFleetPreflight, type HostReading } from '../../../src/core/fleet/preflightTable';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { tempDir } from '../engine/helpers';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();

describe('the fleet preflight table from the real preflight script', () => {
  let tmp: { dir: string; cleanup(): void };
  let from: ReleaseRef;
  let to: ReleaseRef;
  before(() => {
    tmp = tempDir('fleet-preflight');
  });
  after(() => tmp.cleanup());

  /** A "host" tree: a clone at the from release. */
  function tree(name: string, origin?: string): string {
    const dir = join(tmp.dir, name);
    if (!origin) {
      mkdirSync(dir);
      git(dir, 'init', '-q', '-b', 'main');
      writeFileSync(join(dir, 'app.txt'), 'v1\n');
      git(dir, 'add', '.');
      git(dir, 'commit', '-qm', 'v1');
      git(dir, 'tag', 'v1.3.0');
      writeFileSync(join(dir, 'app.txt'), 'v2\n');
      git(dir, 'commit', '-qam', 'v2');
      git(dir, 'tag', 'v1.4.0');
      to = { name: 'v1.3.0', sha: git(dir, 'rev-parse', 'v1.3.0') };
      from = { name: 'v1.4.0', sha: git(dir, 'rev-parse', 'v1.4.0') };
    } else execFileSync('git', ['clone', '-q', origin, dir]);
    return dir;
  }

  function stepFor(where: string, cwd: string): PlanStep {
    return preflightStep({
      at: (command, extra) => ({ command, where, cwd, ...extra }), where, cwd, environment: 'production', strategy: 'checkout', from, to,
      services: [{ name: 'api', paths: [], health: { url: 'http://127.0.0.1:9/health', expect: 200, warmupMs: 0, timeoutMs: 1000, intervalMs: 100 } }], healthWhere: where,
    });
  }

  async function read(host: string, cwd: string, lock?: HostReading['lock']): Promise<{ reading: HostReading; step: PlanStep }> {
    const step = stepFor(host, cwd);
    const r = await new LocalCommandRunner().run(step.commands[0].command, { timeoutMs: 30_000 });
    return { reading: { host, destination: host, path: cwd, script: r, lock: lock ?? {} }, step };
  }

  test('ready, moved off the release, no such path, locked, unreachable: each check in its own column, the refusal names host and check', async () => {
    const origin = tree('web-01');
    const moved = tree('web-02', origin);
    writeFileSync(join(moved, 'app.txt'), 'hotfix made on the host\n');
    git(moved, 'commit', '-qam', 'hotfix on the host');
    const locked = tree('web-04', origin);

    const rows = [
      await read('web-01', origin),
      await read('web-02', moved),
      await read('web-03', join(tmp.dir, 'no-such-tree')),
      await read('web-04', locked, { held: 'held by sam@laptop since 2026-12-02T09:00:00Z (run rb-other)' }),
      { reading: { host: 'web-05', destination: 'web-05', path: '/srv/app', unreachable: 'host key for web-05 does not match known_hosts' } as HostReading, step: stepFor('web-05', '/srv/app') },
    ].map(({ reading, step }) => hostPreflight(reading, step));
    const state = (i: number) => Object.fromEntries(Object.entries(rows[i].cells).map(([k, c]) => [k, c.state]));

    assert.deepEqual(state(0), { reach: 'pass', repo: 'pass', target: 'pass', head: 'pass', identity: 'n/a', lock: 'pass', health: 'reported' });
    assert.match(rows[0].cells.health.detail!, /^api is already down: no answer from http:\/\/127\.0\.0\.1:9\/health/);
    assert.deepEqual(state(1), { reach: 'pass', repo: 'pass', target: 'pass', head: 'fail', identity: 'n/a', lock: 'pass', health: 'not-reached' });
    assert.match(rows[1].cells.head.detail!, /the target is at [0-9a-f]{40}, not at v1\.4\.0/);
    assert.deepEqual(state(2), { reach: 'pass', repo: 'fail', target: 'not-reached', head: 'not-reached', identity: 'n/a', lock: 'pass', health: 'not-reached' });
    assert.deepEqual(state(3), { reach: 'pass', repo: 'pass', target: 'pass', head: 'pass', identity: 'n/a', lock: 'fail', health: 'reported' });
    assert.deepEqual(state(4), { reach: 'fail', repo: 'not-reached', target: 'not-reached', head: 'not-reached', identity: 'n/a', lock: 'not-reached', health: 'not-reached' });

    const titles = checkTitles(from, to);
    const refusal = preflightRefusal('production', rows, titles)!;
    assert.match(refusal, /^Nothing ran on production: the preflight refused on 4 of 5 hosts — /);
    assert.match(refusal, /web-02: "HEAD is v1\.4\.0" fails — /);
    assert.match(refusal, /web-03: "Path is the repository" fails — web-03:.*no-such-tree does not exist/);
    assert.match(refusal, /web-04: "Lock free" fails — held by sam@laptop/);
    assert.match(refusal, /web-05: "Reachable, host key verified" fails — host key for web-05 does not match/);
    assert.doesNotMatch(refusal, /web-01/);
    assert.equal(preflightRefusal('production', rows.slice(0, 1), titles), undefined, 'a ready host alone: the rollout may start');

    const md = renderFleetPreflight('production', rows, titles, new Date('2026-12-02T10:00:00Z'));
    assert.match(md, /^## Preflight on every host, checked just now \(10:00:00 UTC\)\n\n> ⛔ The rollout will not start: /);
    assert.ok(md.includes('| Host | Reachable, host key verified | Path is the repository | Has v1.3.0\'s commit | HEAD is v1.4.0 | Git can commit | Lock free | Health now (reported) |'), md);
    assert.match(md, /\n\| `web-01` \| ✅ \| ✅ \| ✅ \| ✅ \| – \| ✅ \| ⚠️ api is already down: no answer/);
    assert.match(md, /\n\| `web-02` \| ✅ \| ✅ \| ✅ \| ⛔ \| – \| ✅ \| · \|\n/);
    assert.match(md, /\n\| `web-05` \| ⛔ \| · \| · \| · \| – \| · \| · \|\n/);
  });

  test('a refusal is told by the place it begins with, so a path that reads like another check cannot pose as one', () => {
    const place = 'web-01:/srv/app has no commit x';
    assert.equal(refusedCheck(`${place} does not exist (no such directory on web-01); check environments.production.path in rollback.yml`, place), 'repo');
    assert.equal(refusedCheck('web-01:/srv/app has no commit abc (v1.3.0); fetch it there first', 'web-01:/srv/app'), 'target');
    assert.equal(refusedCheck('something else entirely', 'web-01:/srv/app'), undefined);
    const row = hostPreflight({ host: 'h|1', destination: 'h|1', path: '/p', script: { code: 1, stdout: '', stderr: 'the backup app.dump changed: sha256 differs\n', lost: false, timedOut: false }, lock: {} }, undefined);
    assert.equal(row.other, 'the backup app.dump changed: sha256 differs');
    const md = renderFleetPreflight('production', [row], checkTitles({ name: 'a', sha: 'a' }, { name: 'b', sha: 'b' }), new Date());
    assert.match(md, /\n- h\|1: "the preflight" fails — the backup app\.dump changed: sha256 differs\n/);
    assert.match(md, /> ⛔ The rollout will not start: h\\\|1 fails "the preflight"\. /);
    assert.ok(md.includes('| `h\\|1` |'), 'a pipe in a host name does not split the table');
  });
});
