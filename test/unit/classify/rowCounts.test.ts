import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareRowCounts, parseRowCounts } from '../../../src/core/database/rowCounts';

describe('row counts around a restore', () => {
  it('reads psql\'s aligned and unaligned output, ignoring the header, the rule and the footer', () => {
    const aligned = ' table  | rows \n--------+------\n orders |    3\n audit_log | 12\n(2 rows)\n';
    assert.deepEqual([...parseRowCounts(aligned)], [['orders', 3], ['audit_log', 12]]);
    assert.deepEqual([...parseRowCounts('$ psql -A -t\norders|3\n')], [['orders', 3]]);
  });

  it('says what the restore did to each table, and fails when one that had rows came back empty', () => {
    assert.deepEqual(compareRowCounts('orders|5\ncustomers|40\n', 'orders|3\ncustomers|41\n'), { ok: true, detail: 'rows before → after the restore: orders 5 → 3, customers 40 → 41' });
    const empty = compareRowCounts('orders|5\ncustomers|40\n', 'orders|0\ncustomers|41\n');
    assert.equal(empty.ok, false);
    assert.match(empty.detail, /^came back empty: orders \(5 rows before\)/);
    // An empty table that was empty before is fine; without a count before, the counts are still shown.
    assert.equal(compareRowCounts('orders|0\n', 'orders|0\n').ok, true);
    assert.deepEqual(compareRowCounts(undefined, 'orders|3\n'), { ok: true, detail: 'rows before → after the restore: orders 3' });
  });

  it('fails when no count can be read rather than passing an unreadable check', () => {
    const r = compareRowCounts('orders|5\n', 'ERROR: permission denied for table orders\n');
    assert.equal(r.ok, false);
    assert.match(r.detail, /no row counts could be read/);
  });
});
