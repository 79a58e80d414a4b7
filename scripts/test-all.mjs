// The one test command: static checks, unit tests (plain Node, real git/sshd/PostgreSQL),
// the integration suite inside a real VS Code (code-server), and the UI test (Playwright
// in Chromium against code-server with the packaged .vsix). Each phase runs even if an
// earlier one failed, so one report shows everything; the last line is the count.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const work = join(root, '.test-work');
mkdirSync(work, { recursive: true });
const totals = { passed: 0, failed: 0 };
const lines = [];
// What failed, by name, repeated under the summary: a CI log is often read from its tail.
const failedNames = [];
const firstLine = (text) => String(text ?? '').split('\n').find((l) => l.trim())?.trim().slice(0, 600) ?? '';

function run(name, cmd, args, env = {}) {
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function check(name, ok) {
  totals[ok ? 'passed' : 'failed']++;
  if (!ok) failedNames.push(`${name}: see its output above`);
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
}

function counted(name, summaryFile, ok) {
  if (existsSync(summaryFile)) {
    const s = JSON.parse(readFileSync(summaryFile, 'utf8'));
    totals.passed += s.passed;
    totals.failed += s.failed;
    lines.push(`${s.failed === 0 && ok ? 'ok  ' : 'FAIL'} ${name}: ${s.passed} passed, ${s.failed} failed`);
    // Integration summaries list `failures`, the UI scripts' `results`; a run that broke has `error`.
    for (const f of s.failures ?? []) failedNames.push(`${f.title}: ${firstLine(f.error)}`);
    for (const r of (s.results ?? []).filter((x) => !x.ok)) failedNames.push(`${name.split(' ')[0]}: ${r.name}: ${firstLine(r.error)}`);
    if (s.error) failedNames.push(`${name.split(' ')[0]}: ${firstLine(s.error)}`);
    if (!ok && s.failed === 0) { totals.failed++; lines.push(`FAIL ${name}: runner exited non-zero`); }
  } else {
    totals.failed++;
    lines.push(`FAIL ${name}: produced no results`);
  }
}

check('typecheck (tsc --noEmit, strict)', run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']));
check('lint (eslint)', run('lint', 'npx', ['eslint', 'src', 'test', 'scripts', 'bench', 'webview-ui']));
check('contributions (every contributed command is registered and vice versa)', run('contributions', process.execPath, ['scripts/check-contributions.mjs']));

const tap = join(work, 'unit.tap');
rmSync(tap, { force: true });
const unitOk = run('unit', process.execPath, ['scripts/run-unit.mjs'], { ROLLBACK_PILOT_TAP: tap });
if (existsSync(tap)) {
  const t = readFileSync(tap, 'utf8');
  const pass = Number(/^# pass (\d+)/m.exec(t)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)/m.exec(t)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(t)?.[1] ?? 0);
  totals.passed += pass;
  totals.failed += fail;
  lines.push(`${fail === 0 && unitOk ? 'ok  ' : 'FAIL'} unit: ${pass} passed, ${fail} failed`);
  for (const m of t.matchAll(/^\s*not ok \d+ - (.*)$/gm)) failedNames.push(`unit: ${m[1]}`);
  if (!unitOk && fail === 0) { totals.failed++; lines.push('FAIL unit: runner exited non-zero'); }
} else {
  totals.failed++;
  lines.push('FAIL unit: produced no results');
}

rmSync(join(work, 'integration/summary.json'), { force: true });
counted('integration (inside VS Code via code-server)', join(work, 'integration/summary.json'), run('integration', process.execPath, ['--import', 'tsx', 'test/integration/run-code-server.mjs']));

rmSync(join(work, 'ui/summary.json'), { force: true });
counted('ui (Playwright against code-server with the .vsix)', join(work, 'ui/summary.json'), run('ui', process.execPath, ['test/ui/run-ui.mjs']));

rmSync(join(work, 'ui-rollback/summary.json'), { force: true });
counted('ui-rollback (a whole rollback through the real quick picks, the checklist live, reload, post-mortem)', join(work, 'ui-rollback/summary.json'), run('ui-rollback', process.execPath, ['--import', 'tsx', 'test/ui/run-rollback-ui.mjs']));

rmSync(join(work, 'ui-resume/summary.json'), { force: true });
counted('ui-resume (the extension host killed mid-step, the reload, the offer to resume, nothing done twice)', join(work, 'ui-resume/summary.json'), run('ui-resume', process.execPath, ['--import', 'tsx', 'test/ui/run-resume-ui.mjs']));

rmSync(join(work, 'ui-verification/summary.json'), { force: true });
counted('ui-verification (the investigation countdown in the checklist, time\'s up → roll back; a skipped failing health check blocks the all-clear)', join(work, 'ui-verification/summary.json'), run('ui-verification', process.execPath, ['--import', 'tsx', 'test/ui/run-verification-ui.mjs']));

console.log('\n=== summary');
for (const l of lines) console.log(l);
if (failedNames.length) console.log(`failed:\n${failedNames.map((n) => `  - ${n}`).join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 ? 0 : 1);
