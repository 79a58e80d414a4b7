import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type ConfigDiagnostic, type RollbackConfig } from '../../../src/core/config';

const FULL = `releases: { tags: "release-*" }
environments:
  production:
    host: deploy@prod-1:2222
    path: /opt/app
    branch: stable
    strategy: checkout
    snapshot: /tmp/pre-deploy-sha.txt
    push: true
    configFiles: [.env, deploy/Caddyfile]
    commandTimeout: 1m30s
  staging:
    host: staging
services:
  api:
    build: docker-compose build api
    deploy: docker-compose up -d api
    stop: docker-compose stop api
    health: { url: http://localhost:3101/health, expect: 204, contains: "1.4.2", warmup: 2s, timeout: 45, interval: 500ms }
    smoke: ["curl -fsS http://localhost:3101/version"]
    paths: ["apps/api/**", "libs/{db,auth}/**"]
    image: registry.example.com/api:{tag}
  worker:
    deploy: systemctl restart worker
migrations:
  tool: alembic
  dir: alembic/versions
  down: alembic downgrade {previous}
  preview: alembic downgrade {id}:{previous} --sql
  sql: docker exec -i db psql -U app -d app
  backup: { create: "pg_dump app > b.sql", restore: "psql app < b.sql", list: "ls *.sql", maxAge: 2h }
notify: { webhook: true, escalateAt: [90s, 1h] }
checklist:
  remove: [changelog]
`;

const EXPECTED: RollbackConfig = {
  releases: { tags: 'release-*' },
  environments: [
    {
      name: 'production',
      host: 'deploy@prod-1:2222',
      path: '/opt/app',
      branch: 'stable',
      strategy: 'checkout',
      snapshot: '/tmp/pre-deploy-sha.txt',
      push: true,
      configFiles: ['.env', 'deploy/Caddyfile'],
      commandTimeoutMs: 90_000,
    },
    { name: 'staging', host: 'staging', path: '.', branch: 'main', strategy: 'revert', push: false, configFiles: [], commandTimeoutMs: 600_000 },
  ],
  services: [
    {
      name: 'api',
      build: 'docker-compose build api',
      deploy: 'docker-compose up -d api',
      stop: 'docker-compose stop api',
      health: { url: 'http://localhost:3101/health', expect: 204, contains: '1.4.2', warmupMs: 2000, timeoutMs: 45_000, intervalMs: 500 },
      smoke: ['curl -fsS http://localhost:3101/version'],
      paths: ['apps/api/**', 'libs/{db,auth}/**'],
      image: 'registry.example.com/api:{tag}',
    },
    { name: 'worker', deploy: 'systemctl restart worker', paths: [] },
  ],
  migrations: {
    tool: 'alembic',
    dir: 'alembic/versions',
    down: 'alembic downgrade {previous}',
    preview: 'alembic downgrade {id}:{previous} --sql',
    sql: 'docker exec -i db psql -U app -d app',
    backup: { create: 'pg_dump app > b.sql', restore: 'psql app < b.sql', list: 'ls *.sql', maxAgeMs: 7_200_000 },
  },
  notify: { webhook: true, escalateAtMinutes: [1.5, 60] },
  checklist: { remove: ['changelog'] },
  isDefault: false,
};

/** The single diagnostic of `yaml`, with the position the Problems panel would show. */
function only(yaml: string): ConfigDiagnostic {
  const r = parseConfig(yaml, '/repo/rollback.yml');
  assert.equal(r.diagnostics.length, 1, JSON.stringify(r.diagnostics, null, 1));
  return r.diagnostics[0];
}

function pos(d: ConfigDiagnostic): [number, number, number, number] {
  return [d.line, d.column, d.endLine, d.endColumn];
}

void test('a full valid config converts to the expected RollbackConfig with no diagnostics', () => {
  const r = parseConfig(FULL, '/repo/rollback.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.config, EXPECTED);
});

void test('a minimal config gets every default filled in', () => {
  const r = parseConfig('services:\n  api:\n    health: { url: "http://127.0.0.1:8080/h" }\n', 'rollback.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.config?.releases, { tags: 'v*' });
  assert.deepEqual(r.config?.environments.map((e) => [e.name, e.host, e.path, e.branch, e.strategy, e.commandTimeoutMs]), [['local', 'local', '.', 'main', 'revert', 600_000]]);
  assert.deepEqual(r.config?.services[0].health, { url: 'http://127.0.0.1:8080/h', expect: 200, warmupMs: 0, timeoutMs: 30_000, intervalMs: 1000 });
  assert.deepEqual(r.config?.notify, { webhook: false, escalateAtMinutes: [5, 15] });
  assert.equal(r.config?.isDefault, false);
});

void test('unknown key: suggestion, positioned on the key, config withheld', () => {
  const r = parseConfig('environments:\n  production:\n    host: local\n    stratgy: revert\n', 'rollback.yml');
  assert.equal(r.config, undefined);
  assert.equal(r.diagnostics.length, 1);
  const d = r.diagnostics[0];
  assert.equal(d.severity, 'error');
  assert.equal(d.message, 'Unknown key "stratgy" in environments.production. Did you mean "strategy"?');
  assert.deepEqual(pos(d), [4, 5, 4, 12]);
});

void test('unknown key with nothing close lists the allowed keys', () => {
  const d = only('notify:\n  slack: true\n');
  assert.equal(d.message, 'Unknown key "slack" in notify. Allowed keys: webhook, escalateAt.');
  assert.deepEqual(pos(d), [2, 3, 2, 8]);
});

void test('unknown top-level section is named as such', () => {
  const d = only('enviroments: {}\n');
  assert.equal(d.message, 'Unknown key "enviroments" at the top level. Did you mean "environments"?');
  assert.deepEqual(pos(d), [1, 1, 1, 12]);
});

void test('wrong type: boolean given as "yes", positioned on the value', () => {
  const d = only('environments:\n  production:\n    host: local\n    push: yes\n');
  assert.equal(d.message, 'environments.production.push must be true or false, got "yes"');
  assert.equal(d.path, 'environments.production.push');
  assert.deepEqual(pos(d), [4, 11, 4, 14]);
});

void test('missing host: positioned on the environment key', () => {
  const d = only('environments:\n  production:\n    path: /opt/app\n');
  assert.equal(d.message, 'Environment "production" needs a "host": "local" or an SSH destination like deploy@prod-1');
  assert.deepEqual(pos(d), [2, 3, 2, 13]);
});

void test('an environment left empty also asks for a host', () => {
  const d = only('environments:\n  production:\n');
  assert.equal(d.message, 'Environment "production" needs a "host": "local" or an SSH destination like deploy@prod-1');
  assert.deepEqual(pos(d), [2, 3, 2, 13]);
});

void test('malformed duration: positioned on the value inside a flow mapping', () => {
  const d = only('services:\n  api:\n    health: { url: "http://localhost/h", timeout: 30 seconds }\n');
  assert.equal(d.message, 'services.api.health.timeout: "30 seconds" is not a duration; write e.g. 30s, 5m, 1m30s');
  assert.deepEqual(pos(d), [3, 51, 3, 61]);
});

void test('durations in the wrong unit order are refused rather than guessed', () => {
  const d = only('environments:\n  prod:\n    host: local\n    commandTimeout: 5s5m\n');
  assert.equal(d.message, 'environments.prod.commandTimeout: "5s5m" is not a duration; write e.g. 30s, 5m, 1m30s');
  assert.deepEqual(pos(d), [4, 21, 4, 25]);
});

void test('an Alembic preview with a relative revision is refused at its position, with the form that works', () => {
  const d = only('migrations:\n  tool: alembic\n  preview: alembic downgrade -1 --sql\n');
  assert.equal(d.severity, 'warning', 'a warning: it must not block a rollback mid-incident');
  assert.match(d.message, /^migrations\.preview: Alembic refuses a relative revision with --sql .*"alembic downgrade \{id\}:\{previous\} --sql"/);
  assert.deepEqual(pos(d), [3, 12, 3, 38]);
  assert.equal(parseConfig('migrations:\n  preview: alembic downgrade {id}:{previous} --sql\n', '/repo/rollback.yml').diagnostics.length, 0);
});

void test('backup.maxAge: a malformed age is positioned on the value, and an absent one defaults to 24h', () => {
  const d = only('migrations:\n  backup: { list: ls /backups, maxAge: a day }\n');
  assert.equal(d.message, 'migrations.backup.maxAge: "a day" is not a duration; write e.g. 30s, 5m, 1m30s');
  assert.deepEqual(pos(d), [2, 40, 2, 45]);
  const r = parseConfig('migrations:\n  backup: { list: ls /backups }\n', '/repo/rollback.yml');
  assert.equal(r.config?.migrations.backup?.maxAgeMs, 24 * 3_600_000);
});

void test('enum: lists the allowed values and suggests the nearest', () => {
  const d = only('environments:\n  prod:\n    host: local\n    strategy: revrt\n');
  assert.equal(d.message, 'environments.prod.strategy must be one of revert, checkout, tag, image; got "revrt". Did you mean "revert"?');
  assert.deepEqual(pos(d), [4, 15, 4, 20]);
});

void test('host must be "local" or an SSH destination', () => {
  const d = only('environments:\n  prod:\n    host: "deploy@prod-1; rm -rf /"\n');
  assert.match(d.message, /^environments\.prod\.host: "deploy@prod-1; rm -rf \/" is not "local" or an SSH destination \(user@host, host, host:port or a ~\/\.ssh\/config alias\): it contains a space$/);
  assert.deepEqual(pos(d), [3, 11, 3, 36]);
  assert.match(only('environments:\n  prod:\n    host: -oProxyCommand=x\n').message, /starts with "-"/);
  assert.match(only('environments:\n  prod:\n    host: prod-1:99999\n').message, /port "99999" is not a number from 1 to 65535/);
  const empty = only('environments:\n  prod:\n    host: ""\n');
  assert.equal(empty.message, 'environments.prod.host must not be empty: write "local" or an SSH destination like deploy@prod-1');
  assert.deepEqual(pos(empty), [3, 11, 3, 13]);
});

void test('expect must be an HTTP status from 100 to 599', () => {
  const d = only('services:\n  api:\n    health:\n      url: http://localhost/h\n      expect: 1000\n');
  assert.equal(d.message, 'services.api.health.expect must be an HTTP status from 100 to 599, got 1000');
  assert.deepEqual(pos(d), [5, 15, 5, 19]);
  assert.match(only('services:\n  api:\n    health: { url: "http://x/h", expect: "200" }\n').message, /HTTP status from 100 to 599, got "200"/);
});

void test('health url must be http or https, and is required', () => {
  assert.match(only('services:\n  api:\n    health: { url: "ftp://x/h" }\n').message, /services\.api\.health\.url: "ftp:\/\/x\/h" is not an http:\/\/ or https:\/\/ URL/);
  const d = only('services:\n  api:\n    health:\n      expect: 200\n');
  assert.equal(d.message, 'services.api.health needs a "url" to probe, e.g. http://localhost:3000/health');
  assert.deepEqual(pos(d), [3, 5, 3, 11]);
});

void test('invalid globs in services.paths are reported at the item', () => {
  const d = only('services:\n  api:\n    paths:\n      - apps/api/**\n      - "apps/{api"\n');
  assert.equal(d.message, 'services.api.paths[1]: "apps/{api" is not a usable glob: a "{" is not closed with "}"');
  assert.deepEqual(pos(d), [5, 9, 5, 20]);
});

void test('migrations.dir that is absolute or escapes the repo is an error', () => {
  const abs = only('migrations:\n  dir: /srv/migrations\n');
  assert.equal(abs.message, 'migrations.dir: "/srv/migrations" must be a folder inside the repository: it is absolute; write it relative to the repository root');
  assert.deepEqual(pos(abs), [2, 8, 2, 23]);
  assert.match(only('migrations:\n  dir: db/../../shared\n').message, /leaves the repository with "\.\."/);
  assert.deepEqual(parseConfig('migrations:\n  dir: db/../migrations\n', 'rollback.yml').diagnostics, []);
});

void test('names of environments and services must be usable names', () => {
  const d = only('services:\n  "my api": {}\n');
  assert.match(d.message, /^services: "my api" is not a valid name; start with a letter/);
  assert.deepEqual(pos(d), [2, 3, 2, 11]);
});

void test('all problems are reported at once, in file order', () => {
  const r = parseConfig('notify: { webhook: "on" }\nenvironments:\n  prod:\n    hots: x\n', 'rollback.yml');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.line, d.message]),
    [
      [1, 'notify.webhook must be true or false, got "on"'],
      [3, 'Environment "prod" needs a "host": "local" or an SSH destination like deploy@prod-1'],
      [4, 'Unknown key "hots" in environments.prod. Did you mean "hosts"?'],
    ],
  );
});

void test('a warning alone still gives a config', () => {
  const r = parseConfig('environments:\n  prod:\n    host: local\n    strategy: image\n', 'rollback.yml');
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.line, d.column]), [['warning', 4, 15]]);
  assert.match(r.diagnostics[0].message, /no service has an "image"/);
  assert.equal(r.config?.environments[0].strategy, 'image');
});
