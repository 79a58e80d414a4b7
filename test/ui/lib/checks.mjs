// The UI scripts' named checks: each prints ✔/✘ as it goes, and the results end in
// <work>/summary.json, which scripts/test-all.mjs counts.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function fail(message) {
  throw new Error(message);
}

/** `label` names the script in its last line ("<label>: N passed, M failed"); `work` is its folder. */
export function uiChecks(label, work) {
  const results = [];
  const startedAt = Date.now();
  const report = (passed, failed, extra) => {
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'summary.json'), JSON.stringify({ passed, failed, seconds: Math.round((Date.now() - startedAt) / 1000), ...extra }, null, 2));
    console.log(`${label}: ${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  };
  return {
    startedAt,
    async check(name, fn) {
      const t0 = Date.now();
      try {
        await fn();
        results.push({ name, ok: true, ms: Date.now() - t0 });
        console.log(`  ✔ ${name} (${Date.now() - t0} ms)`);
      } catch (e) {
        results.push({ name, ok: false, ms: Date.now() - t0, error: e?.stack ?? String(e) });
        console.log(`  ✘ ${name}\n${String(e?.message ?? e).split('\n').map((l) => '      ' + l).join('\n')}`);
      }
    },
    /** The run itself broke outside any check: one failure that says where. */
    broke(e) {
      results.push({ name: `${label} run`, ok: false, error: e?.stack ?? String(e) });
      console.error(e?.stack ?? e);
    },
    /** Writes the summary with what the run observed; returns the exit code. */
    finish(observed) {
      const passed = results.filter((r) => r.ok).length;
      return report(passed, results.length - passed, { results, observed });
    },
    /** main() itself threw before any summary could be written. */
    crashed(e) {
      console.error(e?.stack ?? e);
      return report(0, 1, { error: String(e) });
    },
  };
}

/** The one journal a run wrote in the workspace's .rollback/journals, or undefined while there is not exactly one. */
export function theJournal(workspace) {
  const dir = join(workspace, '.rollback/journals');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  return files.length === 1 ? JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) : undefined;
}
