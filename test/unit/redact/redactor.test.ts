// The one redactor: each rule family with what it must hide and what it must leave alone,
// known values by source, chunked streams, structures, and its cost on large outputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isEnvStyleFile, isPlainConfigValue, REDACTED, Redactor, redactPatterns, secretValuesOfEnvFile } from '../../../src/core/redact';
import { RULES } from '../../../src/core/redact/patterns';

const R = REDACTED;

function hides(text: string, secret: string, expected?: string): void {
  const out = redactPatterns(text);
  assert.ok(!out.includes(secret), `"${secret}" is still in: ${out}`);
  if (expected !== undefined) assert.equal(out, expected);
}

function keeps(text: string): void {
  assert.equal(redactPatterns(text), text);
}

describe('assignments to secret-named variables', () => {
  test('NAME=value, export, quotes, JSON, YAML, options, URL queries', () => {
    hides('PGPASSWORD=hunter2 psql -h db -U app', 'hunter2', `PGPASSWORD=${R} psql -h db -U app`);
    hides("export DB_PASSWORD='s3cret with spaces'", 's3cret', `export DB_PASSWORD='${R}'`);
    hides('SECRET_KEY_BASE="a\\"b c"', 'b c', `SECRET_KEY_BASE="${R}"`);
    // Found by the property test: JSON inside JSON (a typed reason in a structured log line) escapes the quotes.
    hides('{"reason":"x \\"REDIS_PASSWORD\\": \\"wFQ-WI#Xs\\" y"}', 'wFQ-WI#Xs', `{"reason":"x \\"REDIS_PASSWORD\\": \\"${R}\\" y"}`);
    hides('{"password":"pw1234","apiKey": "k-5678", "keyId": 5}', 'pw1234', `{"password":"${R}","apiKey": "${R}", "keyId": 5}`);
    hides('db_password: pa55word', 'pa55word', `db_password: ${R}`);
    hides('X-Api-Key: abcd1234', 'abcd1234', `X-Api-Key: ${R}`);
    hides('mysql --password=pw9 --user=app', 'pw9', `mysql --password=${R} --user=app`);
    hides('tool --db-password pw9x --verbose', 'pw9x', `tool --db-password ${R} --verbose`);
    hides('GET /cb?access_token=tok123&state=1', 'tok123', `GET /cb?access_token=${R}&state=1`);
    hides('MYSQL_PWD=abc AWS_SESSION_TOKEN=xyz1 GITHUB_TOKENS=t1,t2 client_secret=c1', 'xyz1');
    hides('host=db password=libpq99 dbname=app', 'libpq99', `host=db password=${R} dbname=app`);
    hides('PASSWORD = spaced', 'spaced', `PASSWORD = ${R}`);
  });

  test('not secrets: other words, directories, references, masks, prose', () => {
    keeps('KEYBOARD=us AUTHOR=dana PASSWORDLESS=true');
    keeps('PWD=/opt/app OLDPWD=/home/dana');
    keeps('PGPASSWORD=$PGPASS psql; TOKEN=${GITHUB_TOKEN}; PASSWORD=*****');
    keeps('psql: error: FATAL:  password authentication failed for user "app"');
    keeps('CREATE TABLE t (id int PRIMARY KEY, key text);');
    keeps('PASSWORD= (empty) and KEY=');
    hides('X=TOKEN=nested1 Y', 'nested1', `X=TOKEN=${R} Y`);
    keeps(`PGPASSWORD=${R} already redacted`);
  });
});

describe('URL userinfo', () => {
  test('scheme://user:pass@ keeps the user and the host', () => {
    hides("psql 'postgresql://app:s3cr%40t@127.0.0.1:5432/app'", 's3cr%40t', `psql 'postgresql://app:${R}@127.0.0.1:5432/app'`);
    hides('redis://:only-pass@cache:6379/0', 'only-pass', `redis://:${R}@cache:6379/0`);
    hides('https://x-access-token:p@ss@github.com/org/repo.git', 'p@ss', `https://x-access-token:${R}@github.com/org/repo.git`);
  });
  test('not secrets: scp-style git remotes, user-only URLs, e-mail addresses', () => {
    keeps('git@github.com:org/repo.git');
    keeps('ssh://deploy@prod-1:22/opt/app and deploy@prod-1');
    keeps('mailto:dana@example.com https://example.com/a:b@c');
  });
});

describe('Authorization and Bearer', () => {
  test('the credentials go, the scheme stays', () => {
    hides('curl -H "Authorization: Bearer abc.def-ghi" https://x', 'abc.def-ghi', `curl -H "Authorization: Bearer ${R}" https://x`);
    hides('authorization: Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz', `authorization: Basic ${R}`);
    hides('Proxy-Authorization: Digest username="a", response="b"', 'response', `Proxy-Authorization: Digest ${R}`);
    hides('WWW-Authenticate failed for Bearer eyJabc1234567', 'eyJabc1234567');
    // Found by the property test: a skip reason quoting a header, in a message that quotes another one.
    hides('failed (-H "Authorization: Basic abc123"); decided: skip (curl -H "Authorization: Bearer i=x_B=ZRnSy7" https://x)', 'i=x_B=ZRnSy7', `failed (-H "Authorization: Basic ${R}"); decided: skip (curl -H "Authorization: Bearer ${R}" https://x)`);
  });
  test('not secrets: the words in prose', () => {
    keeps('Authorization failed (403)');
    keeps('the bearer of bad news');
  });
});

describe('private keys', () => {
  const body = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK';
  test('BEGIN…END loses its body; keeps the markers', () => {
    hides(`key:\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\nafter`, 'MIIEow', `key:\n-----BEGIN RSA PRIVATE KEY-----\n${R}\n-----END RSA PRIVATE KEY-----\nafter`);
    hides(`-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----`, 'VTLw7');
  });
  test('a key cut off at either end (an output tail, a stream) still loses its body', () => {
    hides(`-----BEGIN PRIVATE KEY-----\n${body}`, 'VTLw7', `-----BEGIN PRIVATE KEY-----\n${R}`);
    const tail = `${body.slice(20)}\n-----END EC PRIVATE KEY-----\ndone`;
    hides(tail, 'VTLw7', `${R}\n-----END EC PRIVATE KEY-----\ndone`);
  });
  test('not secrets: public keys and certificates', () => {
    keeps('-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----');
    keeps('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----');
  });
});

describe('well-known token shapes', () => {
  test('GitHub, GitLab, npm, Slack, AWS, JWT, sk-, Google, chat webhooks', () => {
    const tokens = [
      'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      'gho_16C7e42F292c6912E7710c838347Ae178B4a',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
      'glpat-abcdefghijklmnop1234',
      'npm_abcdefghijklmnopqrstuvwxyz0123456789',
      'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp',
      'xapp-1-A0123456789-0123456789012-abcdef',
      'AKIAIOSFODNN7EXAMPLE',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'sk-proj-abcdefghijklmnop0123',
      'sk_live_abcdefghijklmnop0123',
      'AIzaSyA-abcdefghijklmnopqrstuvwxyz01234',
    ];
    for (const t of tokens) hides(`found (${t}) in the output`, t, `found (${R}) in the output`);
    hides('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrX', `aws_secret_access_key = ${R}`);
    hides('posting to https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXX failed', 'XXXXXXXXXXXX', `posting to https://hooks.slack.com/${R} failed`);
    hides('https://discord.com/api/webhooks/123456789/abc-DEF_ghi', 'abc-DEF_ghi', `https://discord.com/api/webhooks/${R}`);
  });
  test('not secrets: SHAs, UUIDs, words that start the same', () => {
    keeps('HEAD is now at 3f5a1c0e9b8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f');
    keeps('run 2b1c3d4e-5f60-7182-93a4-b5c6d7e8f901 and sk-learn, ghp_short, AKIA123');
    keeps('task-runner askew eyJ only');
  });
});

describe('known values by source', () => {
  test('a registered value, its URL parts and encodings go; replacing a source forgets the old values', () => {
    const r = new Redactor();
    const url = 'https://chat.example.com/hooks/T01/B02/s3cr3tT0k3nValue?sig=abc123def';
    r.setSource('secret-storage:webhook', [url]);
    const out = r.redact(`POST ${url} failed; path /hooks/T01/B02/s3cr3tT0k3nValue; query sig=abc123def; encoded ${encodeURIComponent(url)}`);
    assert.ok(!out.includes('s3cr3tT0k3n') && !out.includes('abc123def'), out);
    r.setSource('env-file:.env', ['plainvalue99', 'x']);
    assert.equal(r.redact('a plainvalue99 b x'), `a ${R} b x`, 'values shorter than 4 characters are not registered');
    r.setSource('env-file:.env', ['other-value-1']);
    assert.equal(r.redact('plainvalue99 other-value-1'), `plainvalue99 ${R}`);
    r.clearSource('env-file:.env');
    assert.equal(r.redact('other-value-1'), 'other-value-1');
    assert.deepEqual(r.sourceNames(), ['secret-storage:webhook']);
  });

  test('the longer of two overlapping values goes whole', () => {
    const r = new Redactor();
    r.setSource('a', ['abcd1234', 'abcd1234efgh5678']);
    assert.equal(r.redact('x abcd1234efgh5678 y'), `x ${R} y`);
  });

  test('structures are redacted deep and keep identity where nothing changed', () => {
    const r = new Redactor();
    r.setSource('s', ['topsecret1']);
    const clean = { a: ['x', { b: 'y' }], n: 5 };
    assert.equal(r.redactDeep(clean), clean);
    const dirty = { keep: clean, list: ['ok', 'has topsecret1'], m: new Map([['k', 'topsecret1']]) };
    const out = r.redactDeep(dirty);
    assert.notEqual(out, dirty);
    assert.equal(out.keep, clean);
    assert.deepEqual(out.list, ['ok', `has ${R}`]);
    assert.equal(out.m, dirty.m, 'maps and class instances are not walked');
    assert.deepEqual(dirty.list, ['ok', 'has topsecret1'], 'the input is not changed');
  });
});

describe('.env files', () => {
  test('which files are read', () => {
    for (const f of ['.env', 'config/.env.production', 'settings.env', 'deploy/app.env']) assert.ok(isEnvStyleFile(f), f);
    for (const f of ['Caddyfile', 'config/app.yml', '.envrc', 'env/README.md']) assert.ok(!isEnvStyleFile(f), f);
  });
  test('which values are registered: secrets and anything unusual; not booleans, small numbers, single words or plain paths', () => {
    const text = [
      '# comment',
      'NODE_ENV=production',
      'PORT=3000',
      'DEBUG=false',
      'DATA_DIR=/var/lib/app',
      'DATABASE_URL=postgres://app:pg-Pass-42@db:5432/app',
      'export API_TOKEN="tok en with spaces"',
      "SESSION_SECRET='hunter'",
      'PIN=123456',
      'REDIS_HOST=cache-01.internal',
      'FEATURE_X=on',
      'OTHER=${API_TOKEN}',
      'EMPTY=',
      'SHORT_KEY=abc',
      'LOG=info # inline comment',
    ].join('\n');
    assert.deepEqual(secretValuesOfEnvFile(text), ['postgres://app:pg-Pass-42@db:5432/app', 'tok en with spaces', 'hunter', '123456', 'cache-01.internal']);
    assert.ok(isPlainConfigValue('LOG_LEVEL', 'debug'));
    assert.ok(!isPlainConfigValue('DB_PASSWORD', 'debug'), 'under a secret name even a word is secret');
    const r = new Redactor();
    r.setSource('env-file:.env', secretValuesOfEnvFile(text));
    assert.equal(r.redact('connecting with pg-Pass-42 to cache-01.internal in production'), `connecting with ${R} to ${R} in production`);
  });
});

describe('streams cut anywhere', () => {
  test('a secret split across chunks is caught at every cut point', () => {
    const r = new Redactor();
    r.setSource('s', ['registered-Value-77']);
    const text = 'start\nPGPASSWORD=hunter2x psql\nvalue registered-Value-77 here\nAuthorization: Bearer abcdefgh12345678\nend';
    for (let cut = 1; cut < text.length; cut++) {
      const s = r.stream();
      const out = s.push(text.slice(0, cut)) + s.push(text.slice(cut)) + s.flush();
      assert.equal(out, r.redact(text), `cut at ${cut}`);
    }
  });

  test('a private key streamed line by line never shows its body', () => {
    const r = new Redactor();
    const s = r.stream();
    const lines = ['build ok\n', '-----BEGIN RSA PRIVATE KEY-----\n', 'MIIEowIBAAKCAQEAu1SU1Lf\n', 'VTLw7onLRnrq0\n', '-----END RSA PRIVATE KEY-----\n', 'after\n'];
    const out = lines.map((l) => s.push(l)).join('') + s.flush();
    assert.ok(!out.includes('MIIEow') && !out.includes('VTLw7'), out);
    assert.match(out, /build ok\n-----BEGIN RSA PRIVATE KEY-----\n‹redacted›/);
    assert.match(out, /-----END RSA PRIVATE KEY-----\nafter\n$/);
  });

  test('a line without an end is let through at its last blank once it is very long (bounded memory)', () => {
    const s = new Redactor().stream();
    let shown = '';
    for (let i = 0; i < 200; i++) shown += s.push('word '.repeat(200));
    assert.ok(shown.length > 100_000, `shown ${shown.length}`);
    assert.equal(shown + s.flush(), 'word '.repeat(200 * 200));
  });
});

describe('cost', () => {
  test('linear on large and adversarial outputs (each family, 1 MiB, well under a second)', () => {
    const r = new Redactor();
    r.setSource('s', Array.from({ length: 50 }, (_, i) => `registered-secret-${i}-xyz`));
    const inputs = [
      'a'.repeat(1 << 20),
      'KEY'.repeat(1 << 18),
      'PASSWORD_'.repeat(1 << 17),
      'x://'.repeat(1 << 18),
      'a://b:c@'.repeat(1 << 17),
      'X=TOKEN='.repeat(1 << 17),
      'eyJ'.repeat(1 << 18),
      '-----BEGIN PRIVATE KEY-----\n'.repeat(1 << 15),
      'Bearer '.repeat(1 << 17),
      '"Authorization: '.repeat(1 << 16),
      ('log line with some words and a=1 b=2\n').repeat(1 << 15),
    ];
    for (const text of inputs) {
      const t0 = performance.now();
      r.redact(text);
      const ms = performance.now() - t0;
      assert.ok(ms < 1500, `${JSON.stringify(text.slice(0, 20))}… took ${ms.toFixed(0)} ms`);
    }
  });

  test('every family is listed once in the rule order the docs give', () => {
    assert.deepEqual([...new Set(RULES.map((r) => r.family))], ['private-key', 'webhook-url', 'url-userinfo', 'authorization', 'bearer', 'token', 'assignment']);
  });
});
