import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectChecked } from './shallowCheck';
import { alembicScript, makeRepo } from './repo';

const V = 'alembic/versions';

void test('alembic: order follows the down_revision chain, not the file names', async () => {
  // File names sort 0e0e, a1b2, c3d4, f00d; the chain is f00d → 0e0e → c3d4 → a1b2.
  const repo = await makeRepo({
    [`${V}/a1b2_drop_legacy.py`]: alembicScript('a1b2', "'c3d4'", 'drop legacy table'),
    [`${V}/0e0e_add_email.py`]: alembicScript('0e0e', "'f00d'", 'add email', 'annotated'),
    [`${V}/c3d4_add_index.py`]:
      // Text that a line regex would take for the header: in the docstring and inside a function.
      `"""add index\n\nrevision = 'zzzz'\n"""\n# down_revision = 'yyyy'\nrevision = 'c3d4'\ndown_revision = '0e0e'\n\ndef upgrade():\n    revision = 'nope'\n`,
    [`${V}/f00d_create_users.py`]: alembicScript('f00d', 'None', 'create users', 'annotated'),
    [`${V}/__init__.py`]: '',
    [`${V}/README`]: 'not a migration',
  });
  try {
    const groups = await detectChecked(repo.fs);
    assert.equal(groups.length, 1);
    const g = groups[0];
    assert.equal(g.tool, 'alembic');
    assert.equal(g.dir, V);
    assert.deepEqual(g.migrations.map((m) => m.id), ['f00d', '0e0e', 'c3d4', 'a1b2']);
    assert.deepEqual(g.migrations.map((m) => m.order), [0, 1, 2, 3]);
    assert.deepEqual(g.migrations.map((m) => m.name), ['create users', 'add email', 'add index', 'drop legacy table']);
    assert.deepEqual(g.migrations.map((m) => m.parents), [[], ['f00d'], ['0e0e'], ['c3d4']]);
    assert.equal(g.migrations[0].file, `${V}/f00d_create_users.py`);
    assert.deepEqual(g.heads, ['a1b2']);
    assert.deepEqual(g.branchPoints, []);
    assert.deepEqual(g.merges, []);
    assert.deepEqual(g.problems, []);
    assert.ok(g.migrations.every((m) => m.problems.length === 0), JSON.stringify(g.migrations.map((m) => m.problems)));
  } finally {
    await repo.cleanup();
  }
});

void test('alembic: a branch and its merge give branch points, the merge, both heads, and a topological order', async () => {
  // e5 branches into b7 and d1, merged by 0a (a tuple) → 3f; b7 also branches off to c9.
  const repo = await makeRepo({
    [`${V}/0a_merge.py`]: alembicScript('0a', "('d1', 'b7')", 'merge heads'),
    [`${V}/3f_audit.py`]: alembicScript('3f', "'0a'", 'audit log'),
    [`${V}/b7_orders.py`]: alembicScript('b7', "'e5'", 'orders', 'annotated'),
    [`${V}/c9_invoices.py`]: alembicScript('c9', "'b7'", 'invoices'),
    [`${V}/d1_payments.py`]: alembicScript('d1', "'e5'", 'payments'),
    [`${V}/e5_base.py`]: alembicScript('e5', 'None', 'base'),
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.deepEqual(g.migrations.map((m) => m.id), ['e5', 'b7', 'c9', 'd1', '0a', '3f']);
    const merge = g.migrations.find((m) => m.id === '0a')!;
    assert.deepEqual(merge.parents, ['d1', 'b7']);
    assert.deepEqual(g.merges, ['0a']);
    assert.deepEqual(g.heads, ['c9', '3f']);
    // The merge has a single child, so it is not a branch point.
    assert.deepEqual(g.branchPoints, ['e5', 'b7']);
    assert.match(g.problems.join('\n'), /2 heads \(c9, 3f\)/);
    // Every revision comes after all of its parents.
    const pos = new Map(g.migrations.map((m) => [m.id, m.order]));
    for (const m of g.migrations) for (const p of m.parents ?? []) assert.ok(pos.get(p)! < m.order, `${p} before ${m.id}`);
  } finally {
    await repo.cleanup();
  }
});

void test('alembic: a parent that does not exist is a problem on that migration; everything is still listed', async () => {
  const repo = await makeRepo({
    [`${V}/aa_first.py`]: alembicScript('aa', "'3f2a9c'", 'first'),
    [`${V}/bb_second.py`]: alembicScript('bb', "'aa'", 'second'),
    [`${V}/cc_other_root.py`]: alembicScript('cc', 'None', 'other root'),
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.deepEqual(g.migrations.map((m) => m.id), ['aa', 'bb', 'cc']);
    assert.deepEqual(g.migrations[0].problems, [`parent 3f2a9c not found in ${V}`]);
    assert.deepEqual(g.migrations[1].problems, []);
  } finally {
    await repo.cleanup();
  }
});

void test('alembic: a down_revision cycle is reported, never looped on', async () => {
  const repo = await makeRepo({
    [`${V}/r0_root.py`]: alembicScript('r0', 'None', 'root'),
    [`${V}/x1.py`]: alembicScript('x1', "'z3'", 'x'),
    [`${V}/y2.py`]: alembicScript('y2', "'x1'", 'y'),
    [`${V}/z3.py`]: alembicScript('z3', "('y2', 'r0')", 'z'),
    [`${V}/w4_after.py`]: alembicScript('w4', "'z3'", 'after the cycle'),
    [`${V}/s5_self.py`]: alembicScript('s5', "'s5'", 'its own parent'),
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.equal(g.migrations.length, 6);
    assert.equal(g.migrations[0].id, 'r0');
    const byId = new Map(g.migrations.map((m) => [m.id, m]));
    for (const id of ['x1', 'y2', 'z3', 's5']) assert.match(byId.get(id)!.problems.join('\n'), /down_revision cycle/, id);
    assert.match(byId.get('w4')!.problems.join('\n'), /after a down_revision cycle/);
    assert.deepEqual(g.problems, ['down_revision cycle: s5 → s5', 'down_revision cycle: x1 → y2 → z3 → x1']);
    assert.deepEqual(g.migrations.map((m) => m.id), ['r0', 's5', 'x1', 'y2', 'z3', 'w4']);
    assert.deepEqual(g.migrations.map((m) => m.order), [0, 1, 2, 3, 4, 5]);
  } finally {
    await repo.cleanup();
  }
});

void test('alembic: duplicate revisions and syntax errors are problems with the file and the place', async () => {
  const repo = await makeRepo({
    [`${V}/aa_one.py`]: alembicScript('aa', 'None', 'one'),
    [`${V}/aa_two.py`]: alembicScript('aa', 'None', 'one again'),
    [`${V}/bb_broken.py`]: `revision = 'bb'\ndown_revision = 'aa'\n\ndef upgrade(:\n    pass\n`,
    [`${V}/cc_computed.py`]: `import os\nrevision = 'cc'\ndown_revision = os.environ['PARENT']\n`,
  });
  try {
    const [g] = await detectChecked(repo.fs);
    const byFile = new Map(g.migrations.map((m) => [m.file.split('/').pop(), m]));
    assert.match(byFile.get('aa_two.py')!.problems.join('\n'), /revision aa is already defined in alembic\/versions\/aa_one\.py/);
    assert.match(byFile.get('aa_one.py')!.problems.join('\n'), /also defined in alembic\/versions\/aa_two\.py/);
    assert.match(byFile.get('bb_broken.py')!.problems.join('\n'), /Python syntax error at line 4, column \d+/);
    assert.match(byFile.get('cc_computed.py')!.problems.join('\n'), /down_revision is not None, a string or a tuple of strings \(line 3, column 17\)/);
    assert.equal(g.migrations.length, 4);
  } finally {
    await repo.cleanup();
  }
});
