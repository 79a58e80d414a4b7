// Attacks through the team's own Ansible inventory, read by the real ansible-inventory: host
// vars that would make Ansible reach a host otherwise than the product verified it (a local
// connection, a ProxyCommand in ssh arguments, its own ssh args replacing StrictHostKeyChecking,
// host key checking off), an ansible_host or ansible_user that is an ssh option or a template,
// a port that is not one. Each is refused before anything runs, naming the host and the var.
// A password in the host vars never reaches the fleet's record (journal, copy on the target).
// The group itself is a plain name: the config refuses a pattern or a template at its key, and
// the playbook would refuse one anyway.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '../../../src/core/config';
import { resolveFleetHosts } from '../../../src/app/fleetPlanning';
import { generatePlaybook } from '../../../src/core/fleet/playbook';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { AnsiblePlaybookRunner } from '../../../src/infra/ansible/ansiblePlaybook';
import { PLUGIN_ROOT } from '../fleet/harness';

let missing: string | undefined;
try {
  execFileSync('ansible-inventory', ['--version'], { stdio: 'ignore' });
} catch {
  missing = 'ansible-inventory is missing: run scripts/setup.sh';
}
const root = mkdtempSync(join(tmpdir(), 'rp-inv-attack-'));
after(() => rmSync(root, { recursive: true, force: true }));
const deps = () => ({ ansible: new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: join(root, 'a'), knownHostsFiles: [] }), local: new LocalCommandRunner(), workspaceRoot: root });

async function hostsOf(n: number, hostVars: string) {
  const dir = join(root, `inv${n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hosts.yml'), `all:\n  children:\n    web:\n      hosts:\n        web-01:\n          ansible_host: 127.0.0.11\n        web-02:\n${hostVars.replace(/^/gm, '          ')}\n`);
  const r = parseConfig(`environments:\n  production:\n    inventory: inv${n}/hosts.yml\n    group: web\n    path: /srv/app\n`, 'rollback.yml');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return resolveFleetHosts(r.config!.environments[0], deps());
}

const marker = join(root, 'PWNED');
const hostile: Array<[string, string, RegExp]> = [
  ['a local connection', 'ansible_connection: local', /web-02.*ansible_connection is "local"/],
  ['a ProxyCommand in the common ssh arguments', `ansible_host: 127.0.0.12\nansible_ssh_common_args: "-o ProxyCommand='touch ${marker}'"`, /web-02.*ansible_ssh_common_args is set/],
  ['its own ssh arguments (the product\'s StrictHostKeyChecking=yes would be gone)', 'ansible_host: 127.0.0.12\nansible_ssh_args: "-o StrictHostKeyChecking=no"', /web-02.*ansible_ssh_args is set/],
  ['host key checking off', 'ansible_host: 127.0.0.12\nansible_host_key_checking: false', /web-02.*ansible_host_key_checking is false; host keys are always checked/],
  ['an ssh program of its own', 'ansible_host: 127.0.0.12\nansible_ssh_executable: /tmp/evil', /web-02.*ansible_ssh_executable is set/],
  ['an ansible_host that is an ssh option', `ansible_host: "-oProxyCommand=touch ${marker}"`, /web-02.*not an SSH destination/],
  ['an ansible_user that is an ssh option', 'ansible_host: 127.0.0.12\nansible_user: "-oProxyCommand=x"', /web-02.*not an SSH destination/],
  ['an ansible_host that is a template', `ansible_host: "{{ lookup('pipe','touch ${marker}') }}"`, /web-02.*ansible_host is a template/],
  ['a port that is not one', 'ansible_host: 127.0.0.12\nansible_port: "22 -oProxyCommand=x"', /web-02.*ansible_port .* is not a port number/],
];

for (const [i, [what, vars, message]] of hostile.entries()) {
  test(`inventory host with ${what}: refused before anything runs, naming the host and the var`, { skip: missing, timeout: 60_000 }, async () => {
    await assert.rejects(hostsOf(i, vars), (e: Error) => {
      assert.match(e.message.replace(/\n/g, ' '), message);
      return true;
    });
  });
}

test('a password among the host vars is not carried into the fleet\'s hosts (journal record, copy on the target); the vars a health URL reads are', { skip: missing, timeout: 60_000 }, async () => {
  const hosts = await hostsOf(100, 'ansible_host: 127.0.0.12\nansible_become_password: "s3cret-Become-77f1"\nansible_password: "s3cret-Login-91aa"\ndb_pass: "s3cret-Db-19bd"\napi_token: "s3cret-Api-44c0"\napi_port: 3101');
  const h = hosts.find((x) => x.name === 'web-02')!;
  assert.equal(h.vars.api_port, '3101');
  assert.equal(h.vars.ansible_host, '127.0.0.12');
  assert.doesNotMatch(JSON.stringify(hosts), /s3cret-/);
});

test('the group: a host pattern or a template is refused at its key by the config, and by the playbook', () => {
  for (const group of ['web:!db', "{{ lookup('pipe','id') }}", 'all,evil', '-web']) {
    const r = parseConfig(`environments:\n  production:\n    inventory: inv/hosts.yml\n    group: ${JSON.stringify(group)}\n    path: /srv/app\n`, 'rollback.yml');
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.some((d) => /group.*is not a group name/.test(d.message)), `${group}: ${JSON.stringify(errors)}`);
    assert.throws(() => generatePlaybook({ runId: 'r', title: 't', group, steps: [], rollout: { batch: 1, maxFailPercent: 0, pauseMs: 0 }, commandTimeoutMs: 1000 }), /is not a plain group name/);
  }
});
