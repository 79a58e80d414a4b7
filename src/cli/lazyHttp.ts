import type { HttpPort, HttpProbeResult, HttpRequest } from '../core/ports';

/**
 * The HTTP adapter, loaded with the first request. node:https brings TLS with it, which cost
 * every command a few ms of its start-up; only health checks, smoke steps and the webhook
 * send anything (lazySqlParser.ts does the same for the SQL parser).
 */
export class LazyHttp implements HttpPort {
  private http?: Promise<Required<HttpPort>>;

  private load(): Promise<Required<HttpPort>> {
    this.http ??= import('../infra/http').then((m) => new m.NodeHttp());
    return this.http;
  }

  get(url: string, timeoutMs: number): Promise<HttpProbeResult> {
    return this.load().then((h) => h.get(url, timeoutMs));
  }

  postJson(url: string, body: unknown, timeoutMs: number): Promise<HttpProbeResult> {
    return this.load().then((h) => h.postJson(url, body, timeoutMs));
  }

  request(req: HttpRequest, timeoutMs: number): Promise<HttpProbeResult> {
    return this.load().then((h) => h.request(req, timeoutMs));
  }
}
