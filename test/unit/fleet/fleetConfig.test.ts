// rollback.yml's fleet keys (issue 15): hosts / inventory + group, rollout, per-host path and
// vars, db; and the mistakes each located at the key or value that is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type ConfigDiagnostic } from '../../../src/core/config';

const SERVICES = `services:
  api:
    build: sh scripts/build.sh api
    deploy: sh scripts/deploy.sh api
    health: { url: "http://127.0.0.1:{vars.api_port}/health", timeout: 10s }
`;

function errors(text: string): ConfigDiagnostic[] {
  return parseConfig(text, 'rollback.yml').diagnostics.filter((d) => d.severity === 'error');
}
const pos = (d: ConfigDiagnostic): number[] => [d.line, d.column];

void test('a fleet of hosts: per-host path and vars, rollout in batches, the db host; host is the db host', () => {
  const text = `environments:
  production:
    hosts:
      - deploy@web-01
      - { host: deploy@web-02, path: /srv/other, vars: { api_port: 3102 } }
    path: /srv/app
    rollout: { batch: [1, "50%", "100%"], maxFailPercent: 25, pause: 30s }
    db: deploy@web-01
${SERVICES.replace('{vars.api_port}', '3101')}`;
  const r = parseConfig(text, 'rollback.yml');
  assert.deepEqual(r.diagnostics, []);
  const env = r.config!.environments[0];
  assert.equal(env.host, 'deploy@web-01');
  assert.deepEqual(env.fleet, {
    hosts: [{ host: 'deploy@web-01' }, { host: 'deploy@web-02', path: '/srv/other', vars: { api_port: '3102' } }],
    rollout: { batch: [1, '50%', '100%'], maxFailPercent: 25, pauseMs: 30_000 },
    db: { host: 'deploy@web-01' },
  });
});

void test('a fleet from the team inventory and its group; rollout defaults to one host at a time', () => {
  const r = parseConfig(`environments:\n  production:\n    inventory: inventories/production\n    group: web\n`, 'rollback.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.config!.environments[0].fleet, { inventory: { path: 'inventories/production', group: 'web' }, rollout: { batch: 1, maxFailPercent: 0, pauseMs: 0 } });
});

void test('batch 0 and over 100% are refused at the value, each', () => {
  const d = errors(`environments:\n  production:\n    hosts: [a, b]\n    rollout: { batch: [0, "150%", "12.5%"] }\n`);
  assert.deepEqual(
    d.map((x) => [...pos(x), x.message]),
    [
      [4, 24, 'environments.production.rollout.batch[0]: 0 hosts is no batch at all: a batch has at least 1 host'],
      [4, 27, 'environments.production.rollout.batch[1]: "150%" is over 100% of the fleet'],
      [4, 35, 'environments.production.rollout.batch[2]: "12.5%" is neither a number of hosts nor a whole percentage such as "25%"'],
    ],
  );
  assert.deepEqual(errors(`environments:\n  p:\n    hosts: [a]\n    rollout: { batch: "0%" }\n`).map((x) => x.message), ['environments.p.rollout.batch: "0%" is no batch at all: give more than 0%']);
});

void test('the db host is also a fleet host with another path: refused at db.path', () => {
  const d = errors(`environments:\n  production:\n    hosts: [deploy@web-01, deploy@web-02]\n    path: /srv/app\n    db: { host: deploy@web-02, path: /srv/db-tree }\n`);
  assert.equal(d.length, 1);
  assert.equal(
    d[0].message,
    'environments.production.db.path: "deploy@web-02" is also hosts[1], whose working tree is "/srv/app", but the database steps would run in "/srv/db-tree"; one host has one working tree: give both the same path',
  );
  assert.deepEqual(pos(d[0]), [5, 38]);
});

void test('host and hosts together, inventory without group, local or duplicate hosts, push in a fleet', () => {
  const d = errors(`environments:
  production:
    host: deploy@web-01
    hosts: [local, deploy@web-02, deploy@web-02, "bad host"]
    push: true
  staging:
    inventory: /etc/ansible/hosts
`);
  assert.deepEqual(d.map((x) => [x.line, x.message]), [
    [4, 'environments.production: "host" and "hosts" are both given; write one host (host), or a fleet (hosts, or inventory with group)'],
    [4, 'environments.production.hosts[0]: "local" cannot be a host of a fleet; list SSH destinations (user@host, host, host:port or ~/.ssh/config aliases)'],
    [4, 'environments.production.hosts[2]: "deploy@web-02" is already hosts[1]; a host is rolled once'],
    [4, 'environments.production.hosts[3]: "bad host" is not an SSH destination (user@host, host, host:port or a ~/.ssh/config alias): it contains a space'],
    [5, 'environments.production.push: a fleet cannot push its revert (each host would push revert commits of its own); push from one checkout after the rollout'],
    [7, 'environments.staging.inventory needs a "group": which of the inventory\'s groups is this environment (e.g. group: web)'],
    [7, 'environments.staging.inventory: "/etc/ansible/hosts" must be an inventory inside the repository: it is absolute; write it relative to the repository root'],
  ]);
});

void test('a health URL reading {vars.NAME}: every host must set it, and only a fleet can', () => {
  const d = errors(`environments:\n  production:\n    hosts: [{ host: web-01, vars: { api_port: 1 } }, web-02]\n  single:\n    host: web-09\n${SERVICES}`);
  assert.deepEqual(d.map((x) => [x.line, x.message]), [
    [3, 'environments.production.hosts[1]: "web-02" does not set vars.api_port, which the health URLs read; add vars: { api_port: … }'],
    [5, 'environments.single: the health URLs read {vars.api_port}, which only the hosts of a fleet set (hosts: [{ host, vars }])'],
  ]);
});

void test('rollout without a fleet is refused; an environment with none of host, hosts, inventory still asks for a host', () => {
  assert.deepEqual(errors(`environments:\n  p:\n    host: web-01\n    rollout: { batch: 2 }\n`).map((x) => x.message), ['environments.p.rollout is for a fleet: give the environment\'s hosts (hosts: [...]) or an inventory with its group, or leave rollout out']);
  assert.deepEqual(errors(`environments:\n  p:\n    path: /x\n`).map((x) => x.message), ['Environment "p" needs a "host": "local" or an SSH destination like deploy@prod-1']);
});
