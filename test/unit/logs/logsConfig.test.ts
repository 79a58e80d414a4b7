// logs: and errors: in rollback.yml: what they become, and each mistake in Problems at the
// line and column of what is wrong.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../src/core/config';
import { DEFAULT_ERROR_PATTERN, errorMatcher, parseErrorPattern } from '../../../src/core/logs/pattern';
import { detectSinceFormat, fillSince, formatSince } from '../../../src/core/logs/since';

const yml = (service: string): string => `environments:\n  production:\n    host: deploy@prod-1\n    path: /opt/app\nservices:\n  api:\n    deploy: docker compose up -d api\n${service}`;

describe('logs: in rollback.yml', () => {
  test('a plain command: the defaults (5m baseline, 2m watch, threshold 1, the runbook words, RFC 3339 since)', () => {
    const { config, diagnostics } = parseConfig(yml('    logs: docker compose logs --since {since} api\n'), 'rollback.yml');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(config?.services[0].logs, { command: 'docker compose logs --since {since} api', since: 'rfc3339', baselineMs: 300_000, watchMs: 120_000, threshold: 1 });
  });

  test('the long form, journalctl read as journalctl reads times, and a pattern', () => {
    const { config, diagnostics } = parseConfig(yml('    logs: { command: "journalctl -u huph-admin --since {since}", baseline: 10m, watch: 90s, threshold: 0.5 }\n    errors: "/ERROR|FATAL/"\n'), 'rollback.yml');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(config?.services[0].logs, { command: 'journalctl -u huph-admin --since {since}', since: 'journal', errors: '/ERROR|FATAL/', baselineMs: 600_000, watchMs: 90_000, threshold: 0.5 });
  });

  test('an errors pattern that is not a regular expression: in Problems on its value, with the reason', () => {
    const text = yml('    logs: docker compose logs --since {since} api\n    errors: "error|(timeout"\n');
    const { diagnostics } = parseConfig(text, 'rollback.yml');
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    const d = diagnostics[0];
    assert.equal(d.severity, 'error');
    assert.equal(d.path, 'services.api.errors');
    assert.match(d.message, /^services\.api\.errors: "error\|\(timeout" cannot be used as the error pattern: it is not a valid regular expression: .*Unterminated group/);
    assert.deepEqual([d.line, d.column], [9, 13], 'the value "error|(timeout" on line 9');
  });

  test('a {since} inside quotes (the quoted value would be data): in Problems on the placeholder itself', () => {
    const text = yml(`    logs: "docker compose logs --since '{since}' api"\n`);
    const { diagnostics } = parseConfig(text, 'rollback.yml');
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.match(diagnostics[0].message, /^services\.api\.logs: \{since\} is inside single quotes: .*write: docker compose logs --since \{since\} api/);
    const line = text.split('\n')[diagnostics[0].line - 1];
    assert.equal(line.slice(diagnostics[0].column - 1, diagnostics[0].endColumn - 1), '{since}');
  });

  test('other mistakes: an unknown placeholder, a zero baseline, a bad duration, threshold 0, errors without logs, a misspelt key', () => {
    const cases: Array<[string, RegExp]> = [
      ['    logs: tail -F /var/log/{service}.log\n', /\{service\} is not filled in here; a logs command takes only \{since\}/],
      ['    logs: { command: "tail -F x", baseline: 0s }\n', /services\.api\.logs\.baseline must be more than 0/],
      ['    logs: { command: "tail -F x", watch: soon }\n', /services\.api\.logs\.watch: "soon" is not a duration/],
      ['    logs: { command: "tail -F x", threshold: 0 }\n', /services\.api\.logs\.threshold must be > 0/],
      ['    errors: panic\n', /services\.api\.errors is set but the service has no logs command/],
      ['    logs: { comand: "tail -F x" }\n', /Unknown key "comand" in services\.api\.logs\. Did you mean "command"\?/],
      ['    errors: "/x/g"\n    logs: tail -F x\n', /flags "g": only i, m, s and u are allowed/],
      ['    errors: "a*"\n    logs: tail -F x\n', /it matches an empty line, so every line would count as an error/],
    ];
    for (const [service, expected] of cases) {
      const { diagnostics } = parseConfig(yml(service), 'rollback.yml');
      assert.ok(diagnostics.some((d) => d.severity === 'error' && expected.test(d.message)), `${service.trim()}: ${diagnostics.map((d) => d.message).join(' | ')}`);
    }
  });
});

describe('the pieces', () => {
  test('the error pattern: plain is case-insensitive, /…/ keeps its flags, a long line is cut before matching', () => {
    const plain = errorMatcher(parseErrorPattern(undefined) as { source: string; flags: string });
    assert.equal(DEFAULT_ERROR_PATTERN, 'error|exception|panic|fatal');
    for (const l of ['ERROR db down', 'java.lang.NullPointerException', 'panic: runtime error', 'FATAL: role missing']) assert.ok(plain(l), l);
    assert.ok(!plain('GET /health 200'));
    const strict = errorMatcher(parseErrorPattern('/^ERROR/') as { source: string; flags: string });
    assert.ok(strict('ERROR x') && !strict('error x') && !strict('an ERROR'));
    assert.ok(!plain(`${'x'.repeat(9000)} error`), 'the match looks at the first 8 KiB of a line');
  });

  test('{since}: RFC 3339 for docker, journalctl\'s own form, Unix seconds; always one quoted word', () => {
    const t = Date.UTC(2026, 11, 2, 0, 3, 7, 900);
    assert.equal(formatSince(t, 'rfc3339'), '2026-12-02T00:03:07Z');
    assert.equal(formatSince(t, 'journal'), '2026-12-02 00:03:07 UTC');
    assert.equal(formatSince(t, 'epoch'), String(Math.floor(t / 1000)));
    assert.equal(detectSinceFormat('journalctl -u api --since {since}'), 'journal');
    assert.equal(detectSinceFormat('sudo /usr/bin/journalctl -u api --since {since}'), 'journal');
    assert.equal(detectSinceFormat('docker compose logs --since {since} api'), 'rfc3339');
    assert.deepEqual(fillSince('journalctl -u api --since {since} -o cat', t, 'journal'), { command: "journalctl -u api --since '2026-12-02 00:03:07 UTC' -o cat" });
    assert.match((fillSince('sh -c "journalctl --since {since}"', t, 'journal') as { problem: string }).problem, /cannot be filled in safely: \{since\} is inside double quotes/);
  });
});
