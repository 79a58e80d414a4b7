import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSender, formatRollbackMessage, toSlackPayload } from '../../../src/core/notify';
import { NodeHttp } from '../../../src/infra/http';

const SECRET_PATH = '/services/T0001/B0002/s3cr3tT0k3n';
const received: Array<{ path: string; contentType: string | undefined; body: unknown }> = [];
const hanging = new Set<ServerResponse>();
let server: Server;
let base = '';

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url?.startsWith('/hang')) {
      hanging.add(res);
      return;
    }
    if (req.url?.startsWith('/fail')) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`internal error at ${req.url}`);
      return;
    }
    if (req.url?.startsWith('/gone')) {
      res.writeHead(404).end('no_service');
      return;
    }
    received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
}

before(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ctx = { environment: 'production', from: 'v1.4.2', to: 'v1.4.1', reason: 'checkout returns 500', elapsedMs: 125_000, operator: 'alice' };

void test('the start message names from, to, reason and the elapsed time', () => {
  assert.equal(formatRollbackMessage('start', ctx), 'Rolling back v1.4.2 to v1.4.1 on production because checkout returns 500. (2:05 since the decision)');
  // The all-clear says what the checks said (issue 13: it no longer claims "health checks pass" without knowing).
  assert.match(formatRollbackMessage('all-clear', { ...ctx, elapsedMs: 600_000, checks: { passed: ['api health'], blocked: [] } }), /^All clear: v1\.4\.2 rolled back to v1\.4\.1 on production; every check passed \(api health\)\. .*Took 10:00/);
  assert.doesNotMatch(formatRollbackMessage('all-clear', { ...ctx, elapsedMs: 600_000 }), /checks? pass/);
  assert.match(formatRollbackMessage('hold', { ...ctx, holdMinutes: 45 }), /hold off on deploys, bulk updates and data fixes for the next 45 minutes/);
  assert.match(formatRollbackMessage('escalation', { ...ctx, suggestion: 'Consider a backup restore.' }), /2:05 since the decision.*Consider a backup restore\.$/);
});

void test('a receiver gets Slack-compatible JSON', async () => {
  const text = formatRollbackMessage('start', ctx);
  const result = await new WebhookSender(new NodeHttp(), 2000).send(`${base}${SECRET_PATH}`, toSlackPayload(text, ctx));
  assert.deepEqual(result, { ok: true, status: 200 });
  const got = received.at(-1);
  assert.equal(got?.path, SECRET_PATH);
  assert.equal(got?.contentType, 'application/json');
  const body = got?.body as { text: string; blocks: Array<{ type: string; text?: { type: string; text: string }; elements?: Array<{ text: string }> }> };
  assert.equal(body.text, text);
  assert.deepEqual(body.blocks[0], { type: 'section', text: { type: 'mrkdwn', text } });
  assert.equal(body.blocks[1]?.elements?.[0]?.text, '*From* v1.4.2 · *To* v1.4.1 · *Env* production · *Elapsed* 2:05 · *By* alice');
});

void test('a 500 answer is reported with its status, without the URL', async () => {
  const url = `${base}/fail${SECRET_PATH}`;
  const result = await new WebhookSender(new NodeHttp(), 2000).send(url, { text: 'x' });
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.status === 500 && result.reason === 'http-status');
  assert.match(result.message, /HTTP 500/);
  assert.ok(!result.message.includes('s3cr3tT0k3n'), result.message);
  assert.ok(!result.message.includes(url));
});

void test('a 4xx answer is reported with its status', async () => {
  const result = await new WebhookSender(new NodeHttp(), 2000).send(`${base}/gone${SECRET_PATH}`, { text: 'x' });
  assert.ok(!result.ok && result.status === 404);
  assert.match(result.ok ? '' : result.message, /HTTP 404: no_service/);
});

void test('a receiver that never answers is reported as a timeout', async () => {
  const result = await new WebhookSender(new NodeHttp(), 300).send(`${base}/hang${SECRET_PATH}`, { text: 'x' });
  assert.ok(!result.ok && result.reason === 'timeout' && result.status === null, JSON.stringify(result));
  assert.ok(!result.message.includes('s3cr3tT0k3n'));
});

void test('a refused connection is reported without the URL', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const result = await new WebhookSender(new NodeHttp(), 2000).send(`http://127.0.0.1:${port}${SECRET_PATH}`, { text: 'x' });
  assert.ok(!result.ok && result.reason === 'network');
  assert.match(result.ok ? '' : result.message, /ECONNREFUSED/);
  assert.ok(!(result.ok ? '' : result.message).includes('s3cr3tT0k3n'));
});

void test('no webhook URL is a failure the panel shows, not a silent skip', async () => {
  const result = await new WebhookSender(new NodeHttp(), 2000).send(undefined, { text: 'x' });
  assert.ok(!result.ok && result.reason === 'no-webhook');
});

void test('the webhook URL input accepts http(s) URLs and says what is wrong otherwise, without echoing the value', async () => {
  const { validateWebhookUrl } = await import('../../../src/core/notify');
  assert.equal(validateWebhookUrl('https://hooks.slack.com/services/T0/B0/xyz'), undefined);
  assert.equal(validateWebhookUrl('http://127.0.0.1:8080/hook'), undefined);
  assert.equal(validateWebhookUrl(''), undefined);
  assert.match(validateWebhookUrl('hooks.slack.com/services/xyz') ?? '', /^Not a URL/);
  assert.match(validateWebhookUrl('ftp://example.com/xyz') ?? '', /must start with https:\/\/.*not ftp:\/\//);
  assert.match(validateWebhookUrl('https://u:p@example.com/xyz') ?? '', /no user name or password/);
  for (const bad of ['hooks.slack.com/services/xyz', 'ftp://example.com/xyz']) assert.ok(!(validateWebhookUrl(bad) ?? '').includes('xyz'));
});

void test('an error text from the HTTP layer that contains the URL is redacted (fake HTTP port whose error echoes the URL)', async () => {
  const url = `${base}/not-a-real-path${SECRET_PATH}?token=abc123`;
  const port = { get: () => Promise.reject(new Error('unused')), postJson: () => Promise.resolve({ status: null, body: '', error: `connect failed for ${url}`, durationMs: 1 }) };
  const result = await new WebhookSender(port, 2000).send(url, { text: 'x' });
  assert.ok(!result.ok);
  assert.ok(!result.message.includes('s3cr3tT0k3n') && !result.message.includes('abc123'), result.message);
  // One marker for every redaction (core/redact), no longer a special '<webhook URL>'.
  assert.match(result.message, /‹redacted›/);
});
