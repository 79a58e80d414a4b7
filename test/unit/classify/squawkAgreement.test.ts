// Agreement with squawk-cli (the established PostgreSQL migration linter) on the rule ids
// both tools have, over every SQL fixture. Every disagreement must be a documented
// difference of purpose in src/core/classify/SQUAWK.md (squawk: lock safety; we: rollback safety).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeSql } from '../../../src/core/classify/sqlAnalysis';
import { RULES } from '../../../src/core/classify/rules';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';

const root = join(__dirname, '../../..');
const fixtures = join(root, 'test/fixtures/sql');
const squawkBin = join(root, 'node_modules/.bin/squawk');

/** squawk 2.x's rule ids (its documentation's list). */
const SQUAWK_RULES = [
  'adding-field-with-default', 'adding-foreign-key-constraint', 'adding-not-nullable-field', 'adding-primary-key-constraint',
  'adding-required-field', 'adding-serial-primary-key-field', 'ban-alter-domain-with-add-constraint', 'ban-char-field',
  'ban-concurrent-index-creation-in-transaction', 'ban-create-domain-with-constraint', 'ban-drop-column', 'ban-drop-database',
  'ban-drop-not-null', 'ban-drop-table', 'ban-truncate-cascade', 'ban-uncommitted-transaction', 'changing-column-type',
  'constraint-missing-not-valid', 'disallowed-unique-constraint', 'prefer-big-int', 'prefer-bigint-over-int',
  'prefer-bigint-over-smallint', 'prefer-identity', 'prefer-robust-stmts', 'prefer-text-field', 'prefer-timestamptz',
  'renaming-column', 'renaming-table', 'require-concurrent-index-creation', 'require-concurrent-index-deletion',
  'transaction-nesting', 'require-lock-timeout', 'require-statement-timeout',
];

function sqlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sqlFiles(p);
    return n.endsWith('.sql') ? [p] : [];
  });
}

describe('agreement with squawk-cli', () => {
  it('agrees on the shared rule ids except for documented differences of purpose', async () => {
    const files = sqlFiles(fixtures).sort();
    assert.ok(files.length >= 20, 'there are SQL fixtures to compare on');
    const shared = RULES.map((r) => r.id).filter((id) => SQUAWK_RULES.includes(id));
    const r = spawnSync(squawkBin, ['--reporter', 'json', ...files.map((f) => relative(root, f))], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.ok(r.status === 0 || r.status === 1, `squawk ran: ${r.stderr}`);
    const theirs = JSON.parse(r.stdout) as Array<{ file: string; rule_name: string }>;
    const count = (list: string[]) => list.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
    const squawkCounts = count(theirs.filter((x) => shared.includes(x.rule_name)).map((x) => `${x.file}|${x.rule_name}`));

    const parser = new PgSqlParser();
    const ours: string[] = [];
    for (const f of files) {
      const { findings } = await analyzeSql(readFileSync(f, 'utf8'), { direction: 'up', parser });
      for (const x of findings) if (shared.includes(x.rule)) ours.push(`${relative(root, f)}|${x.rule}`);
    }
    const ourCounts = count(ours);
    const keys = new Set([...squawkCounts.keys(), ...ourCounts.keys()]);
    const disagreements = [...keys].filter((k) => (squawkCounts.get(k) ?? 0) !== (ourCounts.get(k) ?? 0)).sort();
    const agreement = (keys.size - disagreements.length) / keys.size;
    console.log(`squawk agreement on shared rules (${shared.join(', ')}): ${keys.size - disagreements.length}/${keys.size} file-rule pairs = ${(agreement * 100).toFixed(1)}%`);
    for (const d of disagreements) console.log(`  differs: ${d} squawk=${squawkCounts.get(d) ?? 0} ours=${ourCounts.get(d) ?? 0}`);

    const doc = readFileSync(join(root, 'src/core/classify/SQUAWK.md'), 'utf8');
    const undocumented = disagreements.filter((d) => {
      const [file, rule] = d.split('|');
      return !doc.split('\n').some((l) => l.startsWith('|') && l.includes(`\`${rule}\``) && l.includes(file.split('/').pop()!));
    });
    assert.deepEqual(undocumented, [], 'every disagreement is documented in SQUAWK.md (or it is a bug)');
    // 0.65, was 0.7: DROP TABLE of a table the same file creates is no longer flagged (real PostgreSQL: nothing is lost), one
    // more documented difference (SQUAWK.md) on the 22 shared file-rule pairs. Undocumented differences stay at zero (above).
    assert.ok(agreement >= 0.65, `agreement ${agreement}`);
  });
});
