// The fleet's pure parts against the real Ansible where Ansible is the judge: the batches the
// preview shows are the ones ansible-playbook runs; a command with Jinja in it runs verbatim;
// the version check's messages; task names back to steps.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { batchesOf, batchSizes } from '../../../src/core/fleet/batches';
import { ansibleProblem, parseAnsibleVersion } from '../../../src/core/fleet/ansibleVersion';
import { parseEventLine, taskRef } from '../../../src/core/fleet/events';
import { generatePlaybook } from '../../../src/core/fleet/playbook';
import { AnsiblePlaybookRunner } from '../../../src/infra/ansible/ansiblePlaybook';
import type { PlanStep } from '../../../src/core/plan/types';
import { PLUGIN_ROOT } from './harness';

let hasAnsible = true;
try {
  execFileSync('ansible-playbook', ['--version'], { stdio: 'ignore' });
} catch {
  hasAnsible = false;
}
const noAnsible = hasAnsible ? undefined : 'ansible-playbook is missing: run scripts/setup.sh';

/** A local-connection inventory of n hosts (no SSH: Ansible's batching is what is tested). */
function localInventory(n: number, extra: (i: number) => string = () => ''): string {
  const hosts = Array.from({ length: n }, (_, i) => `        h${i + 1}: { ansible_connection: local, ansible_python_interpreter: /usr/bin/python3, rp_path: /tmp, rp_batch_hosts: [], ${extra(i)} }`);
  return `all:\n  children:\n    g:\n      hosts:\n${hosts.join('\n')}\n`;
}

const step = (id: string, command: string): PlanStep => ({ id, kind: 'build', title: `step ${id}`, why: 't', commands: [{ command, where: 'x', cwd: '/tmp' }], destructive: false });

test('batches as Ansible cuts them: counts, percentages (rounded down, at least 1), lists whose last size repeats', { skip: noAnsible, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rp-batches-'));
  try {
    // Few hosts per case: Ansible's own start-up dominates; the cases cover a list, a percentage rounded down, a float edge (29% of 10 is 2.9…).
    const cases: [number, (number | `${number}%`)[]][] = [[4, [1, '50%', '100%']], [3, ['1%']], [10, ['29%', 4]]];
    for (const [n, batch] of cases) {
      const runner = new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: join(dir, `w${n}`), knownHostsFiles: ['/dev/null'] });
      const playbook = generatePlaybook({ runId: 't', title: 't', group: 'g', steps: [step('noop', 'true')], rollout: { batch, maxFailPercent: 100, pauseMs: 0 }, commandTimeoutMs: 30_000 });
      const r = await runner.run({ playbook, inventory: localInventory(n), forks: 5 });
      assert.equal(r.internalError, undefined, r.outputTail);
      const seen = r.events.filter((e) => e.event === 'batch').map((e) => e.hosts);
      const hosts = Array.from({ length: n }, (_, i) => `h${i + 1}`);
      assert.deepEqual(seen, batchesOf(hosts, batch), `${n} hosts, batch ${JSON.stringify(batch)}`);
      assert.deepEqual(batchSizes(batch, n), seen.map((b) => b!.length));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a command with Jinja and quotes in it runs exactly as written (never templated by Ansible)', { skip: noAnsible, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rp-unsafe-'));
  try {
    const out = join(dir, 'out.txt');
    const command = `printf '%s\\n' '{{ lookup("env", "HOME") }}' "{% raw %}x" '$(id)' > ${out}`;
    const playbook = generatePlaybook({ runId: 't', title: '{{ 7 * 7 }}', group: 'g', steps: [step('jinja', command)], rollout: { batch: 1, maxFailPercent: 0, pauseMs: 0 }, commandTimeoutMs: 30_000 });
    const r = await new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: join(dir, 'w'), knownHostsFiles: ['/dev/null'] }).run({ playbook, inventory: localInventory(1), forks: 1 });
    assert.equal(r.code, 0, r.outputTail);
    assert.equal(readFileSync(out, 'utf8'), '{{ lookup("env", "HOME") }}\n{% raw %}x\n$(id)\n');
    assert.match(r.outputTail, /\{\{ 7 \* 7 \}\}/, 'the play name is shown as written, not as 49');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an Ansible run that fails by itself (a playbook it cannot read) is an internal error, not a host failure', { skip: noAnsible, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rp-internal-'));
  try {
    const r = await new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: dir, knownHostsFiles: ['/dev/null'] }).run({ playbook: '- hosts: g\n  tasks: [ {', inventory: localInventory(1), forks: 1 });
    assert.match(r.internalError ?? '', /^ansible-playbook could not read the playbook or inventory \(exit 4\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ansible-playbook missing or too old: a message that says how to install it', () => {
  assert.deepEqual(parseAnsibleVersion('ansible-playbook [core 2.14.18]\n  config file = None'), [2, 14, 18]);
  assert.equal(ansibleProblem('ansible-playbook [core 2.14.18]'), undefined);
  assert.match(ansibleProblem(undefined, 'no ansible-playbook on PATH')!, /^ansible-playbook was not found \(no ansible-playbook on PATH\); a fleet rollout runs through Ansible\. Install ansible-core 2\.12 or newer.*apt-get install ansible-core.*single host do not need it\.$/);
  assert.match(ansibleProblem('ansible-playbook 2.9.27')!, /^ansible-playbook is 2\.9\.27, older than the 2\.12 a fleet rollout needs\. Install/);
});

test('the adapter reports a missing ansible-playbook before anything runs', async () => {
  const r = new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: mkdtempSync(join(tmpdir(), 'rp-missing-')), knownHostsFiles: [], program: '/nonexistent/ansible-playbook' });
  assert.match((await r.unavailable())!, /^ansible-playbook was not found \(no \/nonexistent\/ansible-playbook on PATH\)/);
});

test('task names map back to steps and parts; foreign or torn event lines are not events', () => {
  assert.deepEqual(taskRef('rp:code-revert:check Revert f34e'), { step: 'code-revert', part: 'check' });
  assert.deepEqual(taskRef('rp:smoke-api#2 Smoke checks of api'), { step: 'smoke-api', part: 'main', command: 2 });
  assert.deepEqual(taskRef('rp:batch-gate Stop the rollout'), { step: 'batch-gate', part: 'gate' });
  assert.equal(taskRef('Gathering Facts'), undefined);
  assert.equal(parseEventLine('{"v": 1, "event": "ok", "at": 1, "bat'), undefined);
  assert.equal(parseEventLine('{"v": 2, "event": "ok", "at": 1, "batch": 1}'), undefined);
  assert.deepEqual(parseEventLine('{"v": 1, "event": "ok", "at": 1, "batch": 1, "host": "h"}'), { v: 1, event: 'ok', at: 1, batch: 1, host: 'h' });
});
