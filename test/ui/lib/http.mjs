// A plain HTTP GET with a timeout, for asserting what the fixture's services answer.
import { get } from 'node:http';

/** GET http://127.0.0.1:<port><path> → { status, body }; rejects after `timeout` ms. */
export function getHealth(port, path = '/health', timeout = 5_000) {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on port ${port} timed out after ${timeout} ms`)));
  });
}
