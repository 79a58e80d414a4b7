// Runs the plain-Node unit tests (test/unit/**/*.test.ts) with node's own test runner.
// With ROLLBACK_PILOT_TAP set, also writes a TAP report there for the test summary.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const only = process.argv.slice(2);
const files = only.length ? only : find('test/unit').sort();
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
if (process.env.ROLLBACK_PILOT_TAP) reporters.push('--test-reporter=tap', `--test-reporter-destination=${process.env.ROLLBACK_PILOT_TAP}`);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...reporters, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
