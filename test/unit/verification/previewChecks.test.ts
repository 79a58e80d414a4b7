// The preview says what "verified" will mean: runbook 004's smoke flow and the health check's
// headers and JSON expectation, each request as it will be sent, secrets named but never shown,
// and where each runs (a flow with no command of its own is not "by hand").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import { checksPlan, runbook004, servicesFrom } from './harness';

const section = (md: string, title: RegExp): string => {
  const start = md.search(title);
  assert.ok(start >= 0, `no step ${title} in the preview`);
  const next = md.indexOf('\n### ', start + 1);
  return md.slice(start, next < 0 ? undefined : next);
};

test('the smoke flow is previewed entry by entry: method, URL, headers by name, body, expectation, captures', () => {
  const plan = checksPlan(servicesFrom(runbook004('http://127.0.0.1:3101', 'target')), { where: 'deploy@prod-1', cwd: '/opt/app' });
  const md = renderPlanMarkdown(plan);
  const smoke = section(md, /### \d+\. Smoke checks of api/);
  assert.match(smoke, /runs on `deploy@prod-1`/);
  assert.doesNotMatch(smoke, /by hand/);
  assert.match(smoke, /1\. \*\*internal health\*\*: GET `http:\/\/127\.0\.0\.1:3101\/health\/internal` from `deploy@prod-1` \(its curl\), expect 200/);
  assert.match(smoke, /headers: `Authorization`: the secret `operator-token` from secret storage/);
  assert.match(smoke, /the JSON answer must have `\$\.db\.ok` = `true`/);
  assert.match(smoke, /3\. \*\*login\*\*: POST `http:\/\/127\.0\.0\.1:3101\/auth\/login`/);
  assert.match(smoke, /keeps `\{token\}` from `\$\.token` for later entries/);
  assert.match(smoke, /7\. \*\*delete project\*\*: DELETE `http:\/\/127\.0\.0\.1:3101\/projects\/\{project\}`.*expect 204/);
  // A password in a body is shown redacted, whatever it holds (the preview is written down).
  assert.match(smoke, /2\. \*\*register\*\*: POST .*\n   - body: `\{"email":"smoke-\{nonce\}@example\.com","password":"‹redacted›"\}`/);
  // From the target the probe is a curl command, shown as such; from here it is described.
  const local = renderPlanMarkdown(checksPlan(servicesFrom(runbook004('http://127.0.0.1:3101', 'local')), { where: 'local', cwd: '/opt/app' }));
  const health = section(local, /### \d+\. Health of api/);
  assert.match(health, /GET `http:\/\/127\.0\.0\.1:3101\/health` from this machine, expect 200; every 1 s for at most 10 s, each probe at most 5 s\./);
  assert.match(health, /the JSON answer must have `version` = /);
});
