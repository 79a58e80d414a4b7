// Family 1: Alembic work done through helper functions, connections and sa.text(). Each
// case's `migration` is the SQL the revision sends to PostgreSQL; the classifier reads the
// Python. SQL whose text only exists at run time is `undecidable`: never safe.

import { alembicCase, alembicFile, type CorpusCase } from './schema';

const f = '1 alembic helpers' as const;
const D = "\n\n\ndef downgrade():\n    pass";
const H = ['deleting-data', 'updating-data'];

export const ALEMBIC_HELPERS: CorpusCase[] = [
  { family: f, name: 'helper deletes through the connection', rules: H, source: alembicCase(`def _purge(conn):\n    conn.execute(sa.text("DELETE FROM orders WHERE total < 10"))\n\n\ndef upgrade():\n    _purge(op.get_bind())${D}`), migration: 'DELETE FROM orders WHERE total < 10;' },
  { family: f, name: 'the same DELETE inline', rules: H, source: alembicCase(`def upgrade():\n    op.execute("DELETE FROM orders WHERE total < 10")${D}`), migration: 'DELETE FROM orders WHERE total < 10;' },
  { family: f, name: 'helper defined, never called; upgrade adds a nullable column', rules: H, source: alembicCase(`def _purge(conn):\n    conn.execute(sa.text("DELETE FROM orders"))\n\n\ndef upgrade():\n    op.add_column('accounts', sa.Column('nick', sa.Text(), nullable=True))${D}`), migration: 'ALTER TABLE accounts ADD COLUMN nick text;' },
  { family: f, name: 'op passed to a helper that updates', rules: H, source: alembicCase(`def _retire(o):\n    o.execute("UPDATE accounts SET status = 'retired' WHERE id = 3")\n\n\ndef upgrade():\n    _retire(op)${D}`), migration: "UPDATE accounts SET status = 'retired' WHERE id = 3;" },
  { family: f, name: 'two helpers deep, bind from op.get_bind()', rules: H, source: alembicCase(`def _inner(c):\n    c.execute(sa.text("UPDATE orders SET state = 'archived' WHERE id = 2"))\n\n\ndef _outer(c):\n    _inner(c)\n\n\ndef upgrade():\n    bind = op.get_bind()\n    _outer(bind)${D}`), migration: "UPDATE orders SET state = 'archived' WHERE id = 2;" },
  { family: f, name: 'sa.text with bound parameters', rules: H, source: alembicCase(`def _set(conn):\n    conn.execute(sa.text("UPDATE accounts SET status = :s WHERE id = :i"), {"s": "gone", "i": 3})\n\n\ndef upgrade():\n    _set(op.get_bind())${D}`), migration: "UPDATE accounts SET status = 'gone' WHERE id = 3;" },
  { family: f, name: 'exec_driver_sql in a helper', rules: H, source: alembicCase(`def _clean(conn):\n    conn.exec_driver_sql("DELETE FROM audit_log WHERE account_id = 2")\n\n\ndef upgrade():\n    _clean(op.get_bind())${D}`), migration: 'DELETE FROM audit_log WHERE account_id = 2;' },
  { family: f, name: 'sa.table().update().values() in a helper', rules: H, source: alembicCase(`accounts = sa.table('accounts', sa.column('credits'))\n\n\ndef _reset(conn):\n    conn.execute(accounts.update().values(credits=0))\n\n\ndef upgrade():\n    _reset(op.get_bind())${D}`), migration: 'UPDATE accounts SET credits = 0;' },
  { family: f, name: 'sa.delete() in a helper', rules: H, source: alembicCase(`orders = sa.table('orders', sa.column('id'))\n\n\ndef _drop_all(conn):\n    conn.execute(sa.delete(orders))\n\n\ndef upgrade():\n    _drop_all(op.get_bind())${D}`), migration: 'DELETE FROM orders;' },
  {
    family: f,
    name: 'Session query delete in a helper',
    rules: H,
    source: alembicCase(`class AuditLog(Base):\n    __tablename__ = 'audit_log'\n\n\ndef _purge(session):\n    session.query(AuditLog).delete()\n\n\ndef upgrade():\n    session = sa.orm.Session(bind=op.get_bind())\n    _purge(session)${D}`),
    migration: 'DELETE FROM audit_log;',
  },
  { family: f, name: 'helper backfills a column the revision adds', rules: ['backfilling-new-column', 'updating-data'], source: alembicCase(`def _fill(conn):\n    conn.execute(sa.text("UPDATE accounts SET region = 'eu'"))\n\n\ndef upgrade():\n    op.add_column('accounts', sa.Column('region', sa.Text()))\n    _fill(op.get_bind())${D}`), migration: "ALTER TABLE accounts ADD COLUMN region text;\nUPDATE accounts SET region = 'eu';" },
  { family: f, name: 'loop over a literal list in a helper', rules: H, source: alembicCase(`def _purge(conn):\n    for t in ['audit_log', 'orders']:\n        conn.execute(sa.text(f"DELETE FROM {t} WHERE id = 1"))\n\n\ndef upgrade():\n    _purge(op.get_bind())${D}`), migration: 'DELETE FROM audit_log WHERE id = 1;\nDELETE FROM orders WHERE id = 1;' },
  { family: f, name: 'f-string filled from a literal argument', rules: H, source: alembicCase(`def _purge(conn, table):\n    conn.execute(sa.text(f"DELETE FROM {table}"))\n\n\ndef upgrade():\n    _purge(op.get_bind(), 'audit_log')${D}`), migration: 'DELETE FROM audit_log;' },
  { family: f, name: 'concatenation with a literal argument', rules: H, source: alembicCase(`def _purge(conn, table):\n    conn.execute(sa.text("DELETE FROM " + table))\n\n\ndef upgrade():\n    _purge(op.get_bind(), 'audit_log')${D}`), migration: 'DELETE FROM audit_log;' },
  { family: f, name: 'SQL in a module constant', rules: H, source: alembicCase(`RESET = "UPDATE accounts SET note = NULL"\n\n\ndef upgrade():\n    op.execute(RESET)${D}`), migration: 'UPDATE accounts SET note = NULL;' },
  { family: f, name: 'a helper that only reads', rules: H, source: alembicCase(`def _count(conn):\n    return conn.execute(sa.text("SELECT count(*) FROM accounts")).scalar()\n\n\ndef upgrade():\n    n = _count(op.get_bind())\n    op.create_index('ix_orders_state', 'orders', ['state'])${D}`), migration: 'SELECT count(*) FROM accounts;\nCREATE INDEX ix_orders_state ON orders (state);' },
  { family: f, name: 'a helper that seeds rows', rules: ['inserting-data'], source: alembicCase(`def _seed(conn):\n    conn.execute(sa.text("INSERT INTO audit_log (action) VALUES ('seeded')"))\n\n\ndef upgrade():\n    _seed(op.get_bind())${D}`), migration: "INSERT INTO audit_log (action) VALUES ('seeded');" },
  { family: f, name: 'helper drops a column through op', rules: ['ban-drop-column'], source: alembicCase(`def _cleanup():\n    op.drop_column('accounts', 'note')\n\n\ndef upgrade():\n    _cleanup()${D}`), migration: 'ALTER TABLE accounts DROP COLUMN note;' },
  { family: f, name: 'helper adds a required column through op', rules: ['adding-required-field'], setup: 'CREATE TABLE coupons (id serial PRIMARY KEY, code text NOT NULL);\nGRANT SELECT, INSERT ON coupons TO app;\nGRANT USAGE ON SEQUENCE coupons_id_seq TO app;', old: ["INSERT INTO coupons (code) VALUES ('X') RETURNING code;"], source: alembicCase(`def _add(o):\n    o.add_column('coupons', sa.Column('discount', sa.Integer(), nullable=False))\n\n\ndef upgrade():\n    _add(op)${D}`), migration: 'ALTER TABLE coupons ADD COLUMN discount integer NOT NULL;' },
  { family: f, name: 'with op.get_bind() as conn in upgrade', rules: H, source: alembicCase(`def upgrade():\n    conn = op.get_bind()\n    conn.execute(sa.text("UPDATE orders SET total = 0 WHERE id = 2"))${D}`), migration: 'UPDATE orders SET total = 0 WHERE id = 2;' },
  { family: f, name: 'SQL built from a table list read at run time', rules: H, source: alembicCase(`def _purge(conn, table):\n    conn.execute(sa.text(f"DELETE FROM {table}"))\n\n\ndef upgrade():\n    conn = op.get_bind()\n    for name in conn.execute(sa.text("SELECT 'audit_log'")).scalars():\n        _purge(conn, name)${D}`), migration: 'DELETE FROM audit_log;', undecidable: 'the table name is read from the database at run time' },
  { family: f, name: 'SQL built with % from a variable', rules: H, source: alembicCase(`def upgrade():\n    limit = compute_limit()\n    op.execute("DELETE FROM orders WHERE total < %d" % limit)${D}`), migration: 'DELETE FROM orders WHERE total < 10;', undecidable: 'the limit is computed at run time' },
  { family: f, name: 'recursive helper', rules: H, source: alembicCase(`def _trim(conn, n):\n    if n <= 0:\n        return\n    conn.execute(sa.text("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)"))\n    _trim(conn, n - 1)\n\n\ndef upgrade():\n    _trim(op.get_bind(), 1)${D}`), migration: 'DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log);', undecidable: 'how often a recursive helper runs is decided at run time' },
  { family: f, name: 'helper from another module', rules: H, source: alembicCase(`def upgrade():\n    backfill(op.get_bind())${D}`, 'from myapp.migrations_support import backfill\n'), migration: "UPDATE accounts SET note = 'backfilled';", undecidable: 'the helper lives in a module the classifier does not read' },
  {
    family: '6 too strict',
    name: 'Alembic replaces price(), its downgrade restores the old body',
    rules: ['changing-function-body', 'replacing-function'],
    source: alembicCase(`def upgrade():\n    op.execute("CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 3 $$")\n\n\ndef downgrade():\n    op.execute("CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$")`),
    migration: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 3 $$;',
  },
  {
    family: '6 too strict',
    name: 'Alembic replaces price(), its downgrade does not restore it',
    rules: ['replacing-function', 'creating-function'],
    source: alembicCase(`def upgrade():\n    op.execute("CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 3 $$")${D}`),
    migration: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 3 $$;',
  },
  {
    family: '6 too strict',
    name: 'Alembic CREATE OR REPLACE VIEW adding a column, no downgrade',
    rules: ['replacing-view'],
    source: alembicCase(`def upgrade():\n    op.execute("CREATE OR REPLACE VIEW active_accounts AS SELECT id, email, name FROM accounts WHERE status = 'active'")${D}`),
    migration: "CREATE OR REPLACE VIEW active_accounts AS SELECT id, email, name FROM accounts WHERE status = 'active';",
  },
  {
    family: '6 too strict',
    name: 'Alembic CREATE OR REPLACE VIEW of a view made by hand, outside the migrations',
    rules: ['replacing-view', 'recreating-view'],
    setup: 'CREATE VIEW order_totals AS SELECT id, total FROM orders;\nGRANT SELECT ON order_totals TO app;',
    setupOutsideMigrations: true,
    old: ['SELECT id, total FROM order_totals ORDER BY id;'],
    source: alembicCase(`def upgrade():\n    op.execute("CREATE OR REPLACE VIEW order_totals AS SELECT id, total, account_id FROM orders")${D}`),
    migration: 'CREATE OR REPLACE VIEW order_totals AS SELECT id, total, account_id FROM orders;',
    undecidable: 'the view was created by hand: no migration says what it was',
  },
  {
    family: '6 too strict',
    name: 'Alembic replaces a function an earlier revision made from SQL built at run time',
    rules: ['replacing-function', 'creating-function'],
    setup: 'CREATE FUNCTION tax(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 10 $$;',
    // The earlier revision below made it; its SQL is an f-string, so the history knows the name, not the body.
    setupOutsideMigrations: true,
    old: ['SELECT tax(100);'],
    source: {
      tool: 'alembic',
      file: 'alembic/versions/c1_case.py',
      files: {
        'alembic/versions/c0_init.py': alembicCase('def upgrade():\n    pass').files['alembic/versions/c0_init.py'],
        'alembic/versions/c05_tax.py': `"""tax\n\nRevision ID: c05\nRevises: c0\n"""\nfrom alembic import op\n\nrevision = 'c05'\ndown_revision = 'c0'\n\nDIVISOR = 10\n\n\ndef upgrade():\n    op.execute(f"CREATE OR REPLACE FUNCTION tax(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / {DIVISOR} $$")${D}\n`,
        'alembic/versions/c1_case.py': alembicFile(`def upgrade():\n    op.execute("CREATE OR REPLACE FUNCTION tax(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 5 $$")${D}`).replace("down_revision = 'c0'", "down_revision = 'c05'"),
      },
    },
    migration: 'CREATE OR REPLACE FUNCTION tax(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 5 $$;',
    undecidable: "the earlier revision builds tax()'s SQL at run time: its body is not known",
  },
  {
    family: '6 too strict',
    name: 'Alembic creates a new function with CREATE OR REPLACE',
    rules: ['creating-function', 'replacing-function'],
    source: alembicCase(`def upgrade():\n    op.execute("CREATE OR REPLACE FUNCTION discount(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 2 $$")\n\n\ndef downgrade():\n    op.execute("DROP FUNCTION discount(int)")`),
    migration: 'CREATE OR REPLACE FUNCTION discount(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 2 $$;',
  },
];
