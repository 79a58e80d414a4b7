// A Node HttpPort for the webhook sender, used until/unless the engine's src/infra/http.ts
// is wired in its place. Errors carry no URL: the webhook URL is a secret.
import * as http from 'node:http';
import * as https from 'node:https';
import type { HttpPort, HttpProbeResult } from '../core/ports';

const MAX_BODY = 64 * 1024;

function request(method: 'GET' | 'POST', url: string, body: string | undefined, timeoutMs: number): Promise<HttpProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<HttpProbeResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: Date.now() - started });
    };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return done({ status: null, body: '', error: 'invalid URL' });
    }
    const lib = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!lib) return done({ status: null, body: '', error: `unsupported protocol ${parsed.protocol}` });
    const req = lib.request(parsed, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
    });
    const timer = setTimeout(() => {
      done({ status: null, body: '', error: `timed out after ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => done({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY) }));
      res.on('error', (e) => done({ status: res.statusCode ?? null, body: '', error: e.message }));
    });
    // Node's messages can include host and port but not the path or query that hold the token.
    req.on('error', (e: NodeJS.ErrnoException) => done({ status: null, body: '', error: e.code ?? 'request failed' }));
    req.end(body);
  });
}

export class NodeHttpPort implements HttpPort {
  get(url: string, timeoutMs: number): Promise<HttpProbeResult> {
    return request('GET', url, undefined, timeoutMs);
  }
  postJson(url: string, body: unknown, timeoutMs: number): Promise<HttpProbeResult> {
    return request('POST', url, JSON.stringify(body), timeoutMs);
  }
}
