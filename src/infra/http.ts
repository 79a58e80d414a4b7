import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpPort, HttpProbeResult, HttpRequest } from '../core/ports';

const MAX_BODY = 64 * 1024;

function send(method: string, url: string, timeoutMs: number, body?: string, headers?: Record<string, string | number>): Promise<HttpProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<HttpProbeResult, 'durationMs'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: Date.now() - started });
    };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      finish({ status: null, body: '', error: `not a valid URL: ${url}` });
      return;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      finish({ status: null, body: '', error: `unsupported protocol ${parsed.protocol} in ${url}` });
      return;
    }
    const req = (parsed.protocol === 'https:' ? httpsRequest : httpRequest)(
      parsed,
      { method, headers: headers ?? (body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}), agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (text.length < MAX_BODY) text += c;
        });
        res.on('end', () => finish({ status: res.statusCode ?? null, body: text }));
        res.on('error', (e) => finish({ status: res.statusCode ?? null, body: text, error: e.message }));
      },
    );
    // The whole exchange has one deadline, so a server that accepts and never answers cannot hang a health check.
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: null, body: '', error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('error', (e) => finish({ status: null, body: '', error: e.message }));
    req.end(body);
  });
}

/** HttpPort on node:http/https with a deadline per request. */
export class NodeHttp implements HttpPort {
  get(url: string, timeoutMs: number): Promise<HttpProbeResult> {
    return send('GET', url, timeoutMs);
  }
  postJson(url: string, body: unknown, timeoutMs: number): Promise<HttpProbeResult> {
    return send('POST', url, timeoutMs, JSON.stringify(body));
  }
  /** Any method with the check's own headers (a later header of the same name wins); the body as given. */
  request(req: HttpRequest, timeoutMs: number): Promise<HttpProbeResult> {
    const headers: Record<string, string | number> = {};
    for (const [name, value] of req.headers ?? []) headers[name.toLowerCase()] = value;
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    return send(req.method, req.url, timeoutMs, req.body, headers);
  }
}
