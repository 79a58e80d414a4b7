// Issue 13, bad input in rollback.yml: each mistake in a health check or a smoke flow is a
// Problem at its line and column, saying what is wrong and where, and the config is withheld.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig, type ConfigDiagnostic } from '../../../src/core/config';

const HEAD = 'environments:\n  production:\n    host: deploy@prod-1\n    path: /opt/app\nservices:\n  api:\n';

function problems(body: string): ConfigDiagnostic[] {
  const r = parseConfig(HEAD + body, 'rollback.yml');
  if (r.diagnostics.some((d) => d.severity === 'error')) assert.equal(r.config, undefined, 'a config with errors is withheld');
  return r.diagnostics;
}

/** The one error on `line` (1-based, counted in HEAD + body), with its column. */
function at(ds: ConfigDiagnostic[], line: number): ConfigDiagnostic {
  const on = ds.filter((d) => d.line === line && d.severity === 'error');
  assert.equal(on.length, 1, `one error on line ${line}: ${JSON.stringify(ds.map((d) => [d.line, d.column, d.message]))}`);
  return on[0];
}

test('a health URL that does not parse and a smoke URL that does not are named at their value', () => {
  const ds = problems('    health: { url: "http//localhost:3101/health" }\n    smoke:\n      - { name: me, url: "localhost:3101/auth/me" }\n');
  assert.match(at(ds, 7).message, /^services\.api\.health\.url: "http\/\/localhost:3101\/health" is not an http:\/\/ or https:\/\/ URL$/);
  assert.equal(at(ds, 7).column, 20);
  assert.match(at(ds, 9).message, /^services\.api\.smoke\[0\]\.url: "localhost:3101\/auth\/me" is not an http:\/\/ or https:\/\/ URL$/);
  assert.equal(at(ds, 9).column, 26);
});

test('a JSON path that cannot be read, in json:, expect.json and capture, each at its key or value', () => {
  const ds = problems([
    '    health:',
    '      url: http://localhost:3101/health',
    '      json: { "$.items[*].v": "{to}" }',
    '    smoke:',
    '      - url: http://localhost:3101/auth/login',
    '        method: POST',
    '        capture: { token: "$..token" }',
    '      - url: http://localhost:3101/auth/me',
    '        expect: { json: { "data.": 1 } }',
    '',
  ].join('\n'));
  assert.match(at(ds, 9).message, /^services\.api\.health\.json: "\$\.items\[\*\]\.v" is not a JSON path: "\[\*" selects several values/);
  assert.match(at(ds, 13).message, /^services\.api\.smoke\[0\]\.capture\.token: "\$\.\.token" is not a JSON path: a name must follow the "\."/);
  assert.match(at(ds, 15).message, /^services\.api\.smoke\[1\]\.expect\.json: "data\." is not a JSON path/);
});

test('a placeholder no earlier step captures is named, with what is available there', () => {
  const ds = problems([
    '    smoke:',
    '      - { name: me, url: "http://localhost:3101/auth/me", headers: { Authorization: "Bearer {token}" } }',
    '      - { name: login, method: POST, url: "http://localhost:3101/auth/login", capture: { token: "$.token" } }',
    '      - { name: me again, url: "http://localhost:3101/users/{tokn}" }',
    '',
  ].join('\n'));
  const first = at(ds, 8);
  assert.match(first.message, /^services\.api\.smoke\[0\]\.headers\.Authorization: \{token\} has no value in smoke step 1 \(me\): it is not captured by an earlier smoke step/);
  assert.match(first.message, /not one of \{to\}, \{sha\}, \{from\}, \{run\}, \{nonce\}$/);
  assert.match(at(ds, 10).message, /\{tokn\} has no value in smoke step 3 \(me again\).*; captured before it: \{token\}$/);
});

test('a secret reference that names no secret, a header value with a line break, a capture that shadows {to}, probeTimeout 0', () => {
  const ds = problems([
    '    health:',
    '      url: http://localhost:3101/health',
    '      probeTimeout: 0s',
    '      headers: { Authorization: "secret:" }',
    '    smoke:',
    '      - url: http://localhost:3101/x',
    '        headers: { X-Note: "a\\r\\nX-Admin: 1" }',
    '        capture: { to: "$.version" }',
    '',
  ].join('\n'));
  assert.match(at(ds, 9).message, /^services\.api\.health\.probeTimeout must be more than 0, e\.g\. 5s$/);
  assert.match(at(ds, 10).message, /^services\.api\.health\.headers\.Authorization: "secret:" does not name a secret; write secret:NAME.*Rollback: Set Health Check Secret…/);
  assert.match(at(ds, 13).message, /^services\.api\.smoke\[0\]\.headers\.X-Note: the value contains a line break, which would start another header$/);
  assert.match(at(ds, 14).message, /^services\.api\.smoke\[0\]\.capture\.to: "to" is filled by the run itself \(\{to\}\); capture under another name$/);
});

test('the schema: an unknown key in a smoke step, a bad method, a header name with a space, a status out of range', () => {
  const ds = problems([
    '    smoke:',
    '      - { url: "http://localhost:3101/x", methd: POST }',
    '      - { url: "http://localhost:3101/x", method: FETCH }',
    '      - { url: "http://localhost:3101/x", headers: { "X Token": a } }',
    '      - { url: "http://localhost:3101/x", expect: 700 }',
    '      - 42',
    '',
  ].join('\n'));
  assert.match(at(ds, 8).message, /^Unknown key "methd" in services\.api\.smoke\[0\]\. Did you mean "method"\?/);
  assert.match(at(ds, 9).message, /^services\.api\.smoke\[1\]\.method must be one of GET, POST, PUT, PATCH, DELETE; got "FETCH"/);
  assert.match(at(ds, 10).message, /^services\.api\.smoke\[2\]\.headers: "X Token" is not an HTTP header name/);
  assert.match(at(ds, 11).message, /^services\.api\.smoke\[3\]\.expect must be an HTTP status from 100 to 599, got 700$/);
  assert.match(at(ds, 12).message, /^services\.api\.smoke\[4\] must be a string or a mapping \(key: value\), got 42$/);
});

test('the runbook 004 suite itself has no Problems', () => {
  const ds = problems([
    '    health: { url: "http://localhost:3101/health", json: { version: "{to}" }, headers: { Authorization: "secret:health-token" }, from: target, probeTimeout: 5s }',
    '    smoke:',
    '      - "curl -fsS http://localhost:3101/version"',
    '      - { name: login, method: POST, url: "http://localhost:3101/auth/login", body: { email: "smoke-{nonce}@example.com", password: "secret:smoke-password" }, capture: { token: "$.token" } }',
    '      - { name: me, url: "http://localhost:3101/auth/me?run={run}", headers: { Authorization: "Bearer {token}" }, expect: { status: 200, json: { "$.email": "smoke-{nonce}@example.com" }, contains: "@" }, timeout: 3s, from: local }',
    '',
  ].join('\n'));
  assert.deepEqual(ds, []);
});
