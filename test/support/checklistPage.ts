// The checklist webview's real page bundle (webview-ui/src/main.ts, built by esbuild) served
// from 127.0.0.1 inside the real HTML shell and CSP (src/vscode/checklist/html.ts), in Debian's
// real Chromium. VS Code's side of the message channel is a stand-in script with the page's
// nonce: it records what the page sends (window.__sent) and CSP violations (window.__csp), and
// answers the page's "ready" with `answerToReady`, as the host does.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { checklistHtml, newNonce } from '../../src/vscode/checklist/html';

export const CHROMIUM = '/usr/bin/chromium';
/** For node:test's `skip`: false where Debian's chromium is installed (scripts/setup.sh installs it). */
export const skipWithoutChromium: false | string = existsSync(CHROMIUM) ? false : `needs Debian's chromium at ${CHROMIUM}`;

/** Headless Chromium as every page test runs it (no sandbox: tests may run as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'], timeout: 20_000 });
}

export interface ChecklistPage {
  browser: Browser;
  /** http://127.0.0.1:PORT: the page is at `${origin}/`. */
  origin: string;
  close(): Promise<void>;
}

export interface ChecklistPageOptions {
  /** Temporary folder prefix (rp-<prefix>-…). */
  prefix: string;
  /** A JavaScript expression evaluated in the page when it posts "ready": the host's first message (e.g. `{ type: 'init', view: … }`). */
  answerToReady: string;
  /** The page's getState/setState keep what it saves (as VS Code does across a reload); otherwise getState answers undefined. */
  keepsState?: boolean;
}

export async function startChecklistPage(o: ChecklistPageOptions): Promise<ChecklistPage> {
  const dir = mkdtempSync(join(tmpdir(), `rp-${o.prefix}-`));
  let server: Server | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await build({ entryPoints: [join(__dirname, '../../webview-ui/src/main.ts')], bundle: true, outdir: dir, platform: 'browser', format: 'esm', target: 'es2022', logLevel: 'silent' });
    server = createServer((req, res) => {
      const name = req.url === '/' ? 'index.html' : (req.url ?? '').slice(1);
      const file = join(dir, name);
      if (!/^[a-z]+\.(html|js|css)$/.test(name) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html' }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const nonce = newNonce();
    const shell = checklistHtml({ cspSource: origin, scriptUri: `${origin}/main.js`, styleUri: `${origin}/main.css`, nonce });
    const state = o.keepsState ? 'getState: () => window.__state, setState: (s) => { window.__state = s; },' : 'getState: () => undefined, setState: () => undefined,';
    const stub = `<script nonce="${nonce}">
window.__sent = []; window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push({ directive: e.violatedDirective, sample: e.sample }));
window.acquireVsCodeApi = () => ({
  postMessage: (m) => { window.__sent.push(m); if (m.type === 'ready') setTimeout(() => window.postMessage(${o.answerToReady}, '*')); },
  ${state}
});
</script>`;
    writeFileSync(join(dir, 'index.html'), shell.replace('<script type="module"', `${stub}<script type="module"`));
    browser = await launchChromium();
    return { browser, origin, close };
  } catch (e) {
    await close();
    throw e;
  }
}
