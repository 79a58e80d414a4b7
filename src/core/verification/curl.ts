// An HTTP check run on the target, by its curl, over the run's SSH connection. The command
// line is fixed and quoted (shellQuote); everything that varies at run time (the URL with
// captured values, the headers with secrets, the body) goes to curl on stdin as a config file
// (`-K -`), so no secret is ever on a command line the host's `ps` shows, in the journal's
// record of the running command, or in the preview.
import { shJoin } from '../plan/shellQuote';

/** `curl -sS --max-time N -w '\n%{http_code}' [-K -] [URL]`: the body, a newline, the status. */
export function curlCommand(timeoutMs: number, options: { config: boolean; url?: string }): string {
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  return shJoin(['curl', '-sS', '--max-time', seconds, '-w', '\\n%{http_code}', ...(options.config ? ['-K', '-'] : []), ...(options.url !== undefined ? [options.url] : [])]);
}

/** A value in curl's config syntax: double-quoted, with \\ \" \t \n \r escaped. */
export function curlQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

export interface CurlRequest {
  method?: string;
  /** Absent when the URL is on the command line. */
  url?: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body?: string;
}

/**
 * The config curl reads on stdin. `data-raw` (not `data`): a body that starts with "@" is
 * sent as it is, never read as a file name on the host. Header and URL values with a line
 * break are refused before this is built (headerValueProblem).
 */
export function curlConfig(req: CurlRequest): string {
  const lines: string[] = [];
  if (req.method && req.method !== 'GET') lines.push(`request = ${curlQuote(req.method)}`);
  if (req.url !== undefined) lines.push(`url = ${curlQuote(req.url)}`);
  for (const [name, value] of req.headers) lines.push(`header = ${curlQuote(`${name}: ${value}`)}`);
  if (req.body !== undefined) lines.push(`data-raw = ${curlQuote(req.body)}`);
  return `${lines.join('\n')}\n`;
}

/** curl's exit codes a person can act on. */
const CURL_EXIT: Record<number, string> = {
  6: 'could not resolve the host',
  7: 'could not connect',
  28: 'timed out',
  35: 'TLS handshake failed',
  52: 'the server closed the connection without answering',
  56: 'the connection was reset while receiving',
  60: 'the server certificate was not trusted',
};

/** What curl's output says: status and body, or why there was no answer. */
export function readCurlOutput(r: { code: number | null; stdout: string; stderr: string }, where: string): { status: number | null; body: string; error?: string } {
  const lines = r.stdout.split('\n');
  const code = Number(lines.pop());
  const body = lines.join('\n');
  if (r.code === 0 && Number.isInteger(code) && code > 0) return { status: code, body };
  if (r.code === 127) return { status: null, body: '', error: `curl is not installed on ${where} (exit 127); install it there or probe from this machine (from: local)` };
  const known = r.code !== null ? CURL_EXIT[r.code] : undefined;
  const said = r.stderr.trim().split('\n').slice(-1)[0];
  return { status: null, body: '', error: `${known ? `${known} ` : ''}(curl on ${where} exit ${r.code ?? 'by signal'}${said ? `: ${said}` : ''})` };
}
