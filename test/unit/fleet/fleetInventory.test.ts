// A fleet from the team's own Ansible inventory, read by the real ansible-inventory: its host
// and group vars count (where the product connects, each host's path), the group's order is
// Ansible's, and an inventory that does not parse or lacks the group is refused by name.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '../../../src/core/config';
import { resolveFleetHosts } from '../../../src/app/fleetPlanning';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { AnsiblePlaybookRunner } from '../../../src/infra/ansible/ansiblePlaybook';
import { PLUGIN_ROOT } from './harness';

let missing: string | undefined;
try {
  execFileSync('ansible-inventory', ['--version'], { stdio: 'ignore' });
} catch {
  missing = 'ansible-inventory is missing: run scripts/setup.sh';
}
const root = mkdtempSync(join(tmpdir(), 'rp-inv-'));
after(() => rmSync(root, { recursive: true, force: true }));

function envOf(yaml: string) {
  const r = parseConfig(yaml, 'rollback.yml');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r.config!.environments[0];
}
const deps = () => ({ ansible: new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: join(root, 'a'), knownHostsFiles: [] }), local: new LocalCommandRunner(), workspaceRoot: root });

test('hosts of the group in Ansible order, with ansible_host/port/user and a per-host rollback_path from the inventory', { skip: missing, timeout: 60_000 }, async () => {
  mkdirSync(join(root, 'inventories/production/group_vars'), { recursive: true });
  writeFileSync(join(root, 'inventories/production/hosts'), '[web]\nweb-02 ansible_host=127.0.0.12 ansible_port=2202\nweb-01 ansible_host=127.0.0.11\n\n[db]\ndb-01\n');
  writeFileSync(join(root, 'inventories/production/group_vars/web.yml'), 'ansible_user: deploy\napi_port: 3101\n');
  mkdirSync(join(root, 'inventories/production/host_vars'), { recursive: true });
  writeFileSync(join(root, 'inventories/production/host_vars/web-01.yml'), 'rollback_path: /srv/other\n');
  const env = envOf('environments:\n  production:\n    inventory: inventories/production\n    group: web\n    path: /srv/app\n');
  const hosts = await resolveFleetHosts(env, deps());
  assert.deepEqual(hosts.map((h) => [h.name, h.destination, h.path, h.vars.api_port]), [
    ['web-02', 'deploy@127.0.0.12:2202', '/srv/app', '3101'],
    ['web-01', 'deploy@127.0.0.11', '/srv/other', '3101'],
  ]);
});

test('no such group, or an inventory that does not parse: refused naming the key, the file and the groups there are', { skip: missing, timeout: 60_000 }, async () => {
  const noGroup = envOf('environments:\n  production:\n    inventory: inventories/production\n    group: api\n');
  await assert.rejects(resolveFleetHosts(noGroup, deps()), /^RolloutError: the inventory inventories\/production has no group "api" \(its groups: (db, web|web, db)\)$/);
  writeFileSync(join(root, 'broken.yml'), 'all:\n  hosts:\n    - [not, a, mapping\n');
  const broken = envOf('environments:\n  production:\n    inventory: broken.yml\n    group: web\n');
  await assert.rejects(resolveFleetHosts(broken, deps()), /^RolloutError: rollback\.yml environments\.production\.inventory \(broken\.yml\) (does not parse as an Ansible inventory|could not be read by ansible-inventory)/);
});
