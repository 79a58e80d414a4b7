// The command line's part of the no-secret property (test/unit/engine/noSecretWritten.property.test.ts):
// the shipped bundle run as a real process on the fixture app (host: local), a smoke command
// printing a PGPASSWORD=… and a postgresql://user:pass@… URL, a token a smoke step captured
// and the service echoes back, the same password and URL typed in the reason. Its stdout,
// stderr and journal (outside the plan, which the journal keeps verbatim for Resume:
// src/core/redact/decorators.ts, JOURNAL_IDENTITY) are searched for each.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { makeAppRepo, stopApp } from '../../fixtures/appRepo';
import { cliEnv, runCli } from '../cli/harness';
import { freePort } from '../engine/helpers';

export interface CliSecrets {
  pg: string;
  url: string;
  token: string;
}

/** One run per sample, each on its own copy of the fixture app; returns where each secret was found (empty: nowhere). */
export async function cliSecretRuns(samples: CliSecrets[], workDir: string): Promise<string[]> {
  const tmp = { dir: workDir };
  const found: string[] = [];
  // The service a smoke step logs in to: it hands out the token, then fails echoing it.
  let token = '';
  const service = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if ((req.url ?? '').startsWith('/login')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`session ${token} rejected (Authorization: ${String(req.headers.authorization)}, url ${req.url})`);
    });
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const port = (service.address() as { port: number }).port;
  try {
    for (const [k, sec] of samples.entries()) {
      token = sec.token;
      const { dir } = await makeAppRepo(join(tmp.dir, `cli-${k}`), { apiPort: await freePort(), workerPort: await freePort() });
      const dbUrl = `postgresql://app:${sec.url}@db-1.internal:5432/app`;
      const smoke = [
        '    smoke:',
        `      - { name: login, method: POST, url: "http://127.0.0.1:${port}/login", body: { user: smoke }, capture: { token: "$.token" }, from: local }`,
        `      - ${JSON.stringify(`echo connecting with PGPASSWORD=${sec.pg} psql ${dbUrl}; echo 'psql: warning: retrying ${dbUrl}' >&2`)}`,
        `      - { name: me, url: "http://127.0.0.1:${port}/me?t={token}", headers: { Authorization: "Bearer {token}" }, from: local }`,
      ].join('\n');
      const ymlPath = join(dir, 'rollback.yml');
      const yml = readFileSync(ymlPath, 'utf8');
      // No migrations (no backup question without a terminal): the run goes to the services and their checks.
      writeFileSync(ymlPath, yml.replace('    paths: ["apps/api/**"]\n', `    paths: ["apps/api/**"]\n${smoke}\n`).replace('  dir: db/migrations\n', '  dir: no-migrations-here\n'));
      const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: cliEnv() });
      git('-c', 'user.name=Dana Deployer', '-c', 'user.email=dana@shop.example', 'commit', '-qam', 'rollback.yml smoke checks');
      git('tag', '-f', 'v1.4.0');
      try {
        const r = await runCli(['run', '--cause', 'code', '--reason', `api 500; PGPASSWORD=${sec.pg} psql ${dbUrl} did not help`, '--yes'], { cwd: dir, timeoutMs: 180_000 });
        const out = `${r.stdout}\n${r.stderr}`;
        if (process.env.NO_SECRET_CLI_DUMP) writeFileSync(process.env.NO_SECRET_CLI_DUMP, out);
        assert.match(out, /connecting with PGPASSWORD=/, `the smoke command ran and its output was shown (exit ${r.code}):\n${out.slice(-1500)}`);
        assert.match(out, /login: ok .*captured token/, 'the token was captured');
        assert.match(out, /me: failed .*HTTP 500/, 'the step that sends the captured token ran and the service echoed it back');
        const journalDir = join(dir, '.rollback', 'journals');
        const journals = readdirSync(journalDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(journalDir, f), 'utf8')) as { plan?: { reason?: string } });
        assert.ok(journals.length >= 1, 'the run wrote its journal');
        const outsidePlan = journals.map((j) => `${JSON.stringify({ ...j, plan: undefined })}\n${j.plan?.reason ?? ''}`).join('\n');
        const artifacts: Record<string, string> = { 'CLI stdout': r.stdout, 'CLI stderr': r.stderr, 'journal (outside the plan)': outsidePlan };
        for (const [what, secret] of Object.entries({ PGPASSWORD: sec.pg, 'URL password': sec.url, 'captured token': sec.token })) {
          for (const [name, text] of Object.entries(artifacts)) {
            const i = text.indexOf(secret);
            if (i >= 0) found.push(`${what} in the ${name}: …${text.slice(Math.max(0, i - 80), i + secret.length + 20)}…`);
          }
        }
      } finally {
        stopApp(dir);
      }
    }
  } finally {
    await new Promise<void>((resolve) => service.close(() => resolve()));
  }
  return found;
}
