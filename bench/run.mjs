// Runs every benchmark in one process tree and prints one line per figure:
//   bench <name>: <value> <unit> ratio=<r> vs <reference> target<=<t>
// Each benchmark compares against a reference measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const benches = ['releases.mjs', 'activation.mjs', 'classify.mjs', 'migrations-tree.mjs', 'rollback-ssh.mjs', 'fleet-rollback.mjs', 'log-watch.mjs', 'cli-plan.mjs'];
let failed = 0;
for (const b of benches) {
  if (only.length && !only.some((o) => b.startsWith(o))) continue;
  const file = join(root, 'bench', b);
  if (!existsSync(file)) { console.log(`bench ${b}: missing`); failed++; continue; }
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) { console.log(`bench ${b}: failed (exit ${r.status})`); failed++; }
}
process.exit(failed ? 1 : 0);
