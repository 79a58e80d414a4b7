// Positive and negative cases for the rule families of issue 14 (access control, inline
// foreign keys, shape-keeping behaviour changes, type widening, re-created objects). Run by
// families.test.ts; rules.test.ts counts them when it checks that every rule has cases.

export interface FamilyCase {
  rule: string;
  positive: string;
  negative: string;
  /** The exact fix statement the positive case must come with. */
  fix?: string;
  /** A phrase the positive case's reason must contain (what an on-call engineer reads). */
  says?: RegExp;
  direction?: 'up' | 'down';
  upSql?: string;
  /** The migration's down path: tells the rules what the schema held before. */
  downSql?: string;
  /** A different down path for the negative case. */
  negativeDownSql?: string;
  /** The earlier migrations of the folder (what they left in the schema: unique keys, row-level security). */
  earlierSql?: string;
}

export const FAMILY_CASES: FamilyCase[] = [
  { rule: 'renaming-table-behind-view', positive: 'ALTER TABLE orders RENAME TO purchases; CREATE VIEW orders AS SELECT * FROM purchases;', negative: "ALTER TABLE orders RENAME TO purchases; CREATE VIEW orders AS SELECT * FROM purchases WHERE state <> 'gone';", says: /view of all its columns/ },
  // Rules that read what the earlier migrations left.
  { rule: 'revoking-schema-create', positive: 'REVOKE CREATE ON SCHEMA public FROM PUBLIC;', negative: 'REVOKE USAGE, CREATE ON SCHEMA public FROM app;', says: /only creating tables/ },
  { rule: 'forcing-row-level-security-while-off', earlierSql: 'CREATE TABLE orders (id int);', positive: 'ALTER TABLE orders FORCE ROW LEVEL SECURITY;', negative: 'ALTER TABLE orders ENABLE ROW LEVEL SECURITY; ALTER TABLE orders FORCE ROW LEVEL SECURITY;', says: /no effect/ },
  {
    rule: 'widening-row-level-security',
    earlierSql: 'CREATE TABLE accounts (id int, tenant int);\nALTER TABLE accounts ENABLE ROW LEVEL SECURITY;',
    positive: 'CREATE POLICY everyone ON accounts USING (true);',
    negative: 'CREATE POLICY admin_all ON accounts TO admin USING (true);',
    fix: 'DROP POLICY IF EXISTS everyone ON accounts;',
  },
  {
    rule: 'dropping-duplicate-unique-key',
    earlierSql: 'CREATE TABLE orders (id int, code text CONSTRAINT orders_code_key UNIQUE);\nCREATE UNIQUE INDEX orders_code_uidx ON orders (code);',
    positive: 'DROP INDEX orders_code_uidx;',
    negative: 'ALTER TABLE orders DROP CONSTRAINT orders_code_key; DROP INDEX orders_code_uidx;',
    says: /ON CONFLICT \(code\) infers it/,
  },
  // 3. Access control
  { rule: 'revoking-privileges', positive: 'REVOKE INSERT, UPDATE ON accounts FROM app;', negative: 'GRANT INSERT, UPDATE ON accounts TO app;', fix: 'GRANT INSERT, UPDATE ON TABLE accounts TO app;', says: /permission denied/ },
  { rule: 'revoking-privileges', positive: 'REVOKE USAGE, SELECT ON SEQUENCE accounts_id_seq FROM app;', negative: 'CREATE SEQUENCE s2; REVOKE ALL ON SEQUENCE s2 FROM PUBLIC;', fix: 'GRANT USAGE, SELECT ON SEQUENCE accounts_id_seq TO app;' },
  { rule: 'revoking-privileges', positive: 'REVOKE USAGE ON SCHEMA billing FROM app;', negative: 'GRANT USAGE ON SCHEMA billing TO app;', fix: 'GRANT USAGE ON SCHEMA billing TO app;' },
  { rule: 'revoking-privileges', positive: 'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM app;', negative: 'GRANT ALL ON ALL TABLES IN SCHEMA public TO app;', fix: 'GRANT ALL ON ALL TABLES IN SCHEMA public TO app;' },
  { rule: 'revoking-privileges', positive: 'REVOKE SELECT (email) ON "Users" FROM reporting;', negative: 'CREATE TABLE audit (id int); REVOKE ALL ON audit FROM PUBLIC;', fix: 'GRANT SELECT (email) ON TABLE "Users" TO reporting;' },
  { rule: 'revoking-privileges', positive: 'REVOKE EXECUTE ON FUNCTION price(int) FROM PUBLIC;', negative: 'CREATE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; REVOKE EXECUTE ON FUNCTION price(int) FROM PUBLIC;', fix: 'GRANT EXECUTE ON FUNCTION price(int4) TO PUBLIC;' },
  // Revoking only the grant option leaves the role its own privilege (real PostgreSQL: the old queries run as before).
  { rule: 'revoking-grant-option', positive: 'REVOKE GRANT OPTION FOR SELECT ON accounts FROM app;', negative: 'REVOKE SELECT ON accounts FROM app;', says: /its own queries there still run/ },
  { rule: 'revoking-privileges', positive: 'REVOKE SELECT ON accounts FROM app;', negative: 'REVOKE GRANT OPTION FOR SELECT ON accounts FROM app;', fix: 'GRANT SELECT ON TABLE accounts TO app;' },
  { rule: 'revoking-role', positive: 'REVOKE writer FROM app;', negative: 'GRANT writer TO app;', fix: 'GRANT writer TO app;' },
  { rule: 'revoking-default-privileges', positive: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE INSERT ON TABLES FROM app;', negative: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT INSERT ON TABLES TO app;', fix: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT INSERT ON TABLES TO app;', says: /created from now on/ },
  { rule: 'revoking-default-privileges', positive: 'ALTER DEFAULT PRIVILEGES FOR ROLE owner REVOKE USAGE ON SEQUENCES FROM app;', negative: 'REVOKE writer FROM app;', fix: 'ALTER DEFAULT PRIVILEGES FOR ROLE owner GRANT USAGE ON SEQUENCES TO app;' },
  { rule: 'granting-default-privileges', positive: 'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app;', negative: 'ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM app;' },
  { rule: 'enabling-row-level-security', positive: 'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;', negative: 'CREATE TABLE tenants (id int); ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;', fix: 'ALTER TABLE accounts DISABLE ROW LEVEL SECURITY;', says: /row-level security policy/ },
  { rule: 'forcing-row-level-security', positive: 'ALTER TABLE accounts FORCE ROW LEVEL SECURITY;', negative: 'ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;', fix: 'ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;' },
  // Turning row-level security off shows the previous release every tenant's rows (real PostgreSQL: its reads change): mitigate, no longer safe.
  { rule: 'relaxing-row-level-security', positive: 'ALTER TABLE accounts DISABLE ROW LEVEL SECURITY;', negative: 'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;', fix: 'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;', says: /other tenants' rows/ },
  { rule: 'relaxing-row-level-security', positive: 'ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;', negative: 'ALTER TABLE accounts FORCE ROW LEVEL SECURITY;', fix: 'ALTER TABLE accounts FORCE ROW LEVEL SECURITY;' },
  { rule: 'enabling-row-level-security-with-open-policy', positive: 'CREATE POLICY all_rows ON accounts USING (true) WITH CHECK (true); ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;', negative: 'CREATE POLICY all_rows ON accounts FOR SELECT USING (true); ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;' },
  { rule: 'adding-restrictive-policy', positive: "CREATE POLICY tenant_only ON accounts AS RESTRICTIVE USING (tenant = current_setting('app.tenant')::int);", negative: 'CREATE POLICY everyone ON accounts USING (true);', fix: 'DROP POLICY IF EXISTS tenant_only ON accounts;' },
  { rule: 'adding-restrictive-policy', positive: 'CREATE POLICY "No Deletes" ON public.accounts AS RESTRICTIVE FOR DELETE TO app USING (false);', negative: 'CREATE TABLE t (id int); CREATE POLICY p ON t AS RESTRICTIVE USING (false);', fix: 'DROP POLICY IF EXISTS "No Deletes" ON public.accounts;' },
  { rule: 'adding-permissive-policy', positive: 'CREATE POLICY read_all ON accounts FOR SELECT USING (true);', negative: 'CREATE POLICY r ON accounts AS RESTRICTIVE USING (true);' },
  { rule: 'changing-owner', positive: 'ALTER TABLE accounts OWNER TO admin;', negative: 'CREATE TABLE x (id int); ALTER TABLE x OWNER TO admin;', says: /previous owner/ },
  { rule: 'changing-owner', positive: 'ALTER SCHEMA billing OWNER TO admin;', negative: 'GRANT USAGE ON SCHEMA billing TO admin;' },
  { rule: 'changing-owner', positive: 'ALTER FUNCTION price(int) OWNER TO admin;', negative: 'CREATE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; ALTER FUNCTION price(int) OWNER TO admin;' },

  // 4. Foreign keys from a new table (or column) to an existing one
  { rule: 'adding-foreign-key-from-new-table', positive: 'CREATE TABLE invoices (id serial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts(id));', negative: 'CREATE TABLE invoices (id serial PRIMARY KEY, account_id int NOT NULL);', fix: 'ALTER TABLE invoices DROP CONSTRAINT IF EXISTS invoices_account_id_fkey;', says: /safe until the new release writes rows/ },
  { rule: 'adding-foreign-key-from-new-table', positive: 'CREATE TABLE invoices (id int, account_id int, CONSTRAINT inv_acc FOREIGN KEY (account_id) REFERENCES accounts ON DELETE RESTRICT);', negative: 'CREATE TABLE accounts2 (id int PRIMARY KEY); CREATE TABLE invoices (id int, a int REFERENCES accounts2);', fix: 'ALTER TABLE invoices DROP CONSTRAINT IF EXISTS inv_acc;' },
  { rule: 'adding-foreign-key-from-new-table', positive: 'CREATE TABLE notes (a int REFERENCES accounts, b int REFERENCES users);', negative: 'CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree);', fix: 'ALTER TABLE notes DROP CONSTRAINT IF EXISTS notes_a_fkey, DROP CONSTRAINT IF EXISTS notes_b_fkey;' },
  { rule: 'adding-foreign-key-from-new-table', positive: 'CREATE TABLE m (account_id int NOT NULL REFERENCES accounts ON DELETE SET NULL);', negative: 'CREATE TABLE m (account_id int REFERENCES accounts ON DELETE SET NULL);', fix: 'ALTER TABLE m DROP CONSTRAINT IF EXISTS m_account_id_fkey;', says: /not-null/ },
  { rule: 'adding-foreign-key-with-delete-action', positive: 'CREATE TABLE sessions (account_id int REFERENCES accounts ON DELETE CASCADE);', negative: 'CREATE TABLE sessions (account_id int REFERENCES accounts);', says: /also deletes/ },
  { rule: 'adding-foreign-key-with-delete-action', positive: 'CREATE TABLE m (account_id int REFERENCES accounts ON DELETE SET NULL);', negative: 'CREATE TABLE m (account_id int NOT NULL REFERENCES accounts ON DELETE SET NULL);', says: /clears/ },
  { rule: 'adding-foreign-key-constraint', positive: 'ALTER TABLE orders ADD COLUMN coupon_id int REFERENCES coupons;', negative: 'ALTER TABLE orders ADD COLUMN coupon_id int;', fix: 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_coupon_id_fkey;' },

  // 5. Shape-keeping behaviour changes
  { rule: 'dropping-unique-index', positive: 'DROP INDEX "User_email_key";', negative: 'DROP INDEX users_created_at_idx;', says: /no unique or exclusion constraint matching the ON CONFLICT/ },
  { rule: 'dropping-unique-index', positive: 'DROP INDEX CONCURRENTLY IF EXISTS uq_accounts_email;', negative: 'CREATE UNIQUE INDEX uq_tmp ON accounts (email); DROP INDEX uq_tmp;' },
  { rule: 'dropping-unique-constraint', positive: 'ALTER TABLE accounts DROP CONSTRAINT accounts_email_key;', negative: 'ALTER TABLE accounts DROP CONSTRAINT accounts_age_check;', says: /ON CONFLICT/ },
  { rule: 'dropping-unique-constraint', positive: 'ALTER TABLE accounts DROP CONSTRAINT uq_accounts_email;', negative: 'ALTER TABLE accounts ADD CONSTRAINT uq_x UNIQUE (a); ALTER TABLE accounts DROP CONSTRAINT uq_x;' },
  { rule: 'restarting-sequence', positive: 'ALTER SEQUENCE accounts_id_seq RESTART WITH 1;', negative: 'ALTER SEQUENCE accounts_id_seq INCREMENT BY 1;', fix: "SELECT setval('accounts_id_seq', (SELECT COALESCE(max(id), 0) + 1 FROM accounts), false);", says: /duplicate key/ },
  { rule: 'restarting-sequence', positive: 'ALTER SEQUENCE order_items_id_seq RESTART;', negative: 'CREATE SEQUENCE tmp_seq; ALTER SEQUENCE tmp_seq RESTART;', fix: "SELECT setval('order_items_id_seq', (SELECT COALESCE(max(id), 0) + 1 FROM order_items), false);" },
  { rule: 'capping-sequence', positive: 'ALTER SEQUENCE accounts_id_seq MAXVALUE 1000;', negative: 'ALTER SEQUENCE accounts_id_seq NO MAXVALUE;', fix: 'ALTER SEQUENCE accounts_id_seq NO MAXVALUE;', says: /reached maximum value/ },
  { rule: 'capping-sequence', positive: 'ALTER SEQUENCE accounts_id_seq CYCLE;', negative: 'ALTER SEQUENCE accounts_id_seq NO CYCLE;', fix: 'ALTER SEQUENCE accounts_id_seq NO CYCLE;' },
  { rule: 'altering-sequence', positive: 'ALTER SEQUENCE accounts_id_seq CACHE 20;', negative: 'ALTER SEQUENCE accounts_id_seq RESTART;' },
  { rule: 'changing-column-default', positive: "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'pending';", negative: "ALTER TABLE accounts ADD COLUMN status text; ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'pending';", says: /same statements, different data/ },
  { rule: 'changing-column-default', positive: 'ALTER TABLE accounts ALTER COLUMN credits SET DEFAULT 0;', negative: 'ALTER TABLE accounts ALTER COLUMN created_at SET DEFAULT now();' },
  { rule: 'changing-column-collation', positive: 'ALTER TABLE accounts ALTER COLUMN email TYPE text COLLATE "C";', negative: 'ALTER TABLE accounts ALTER COLUMN email TYPE text;' },

  { rule: 'dropping-check-constraint', positive: 'ALTER TABLE orders DROP CONSTRAINT orders_total_check;', negative: 'ALTER TABLE orders DROP CONSTRAINT orders_account_id_fkey;', says: /still accepted/ },
  { rule: 'dropping-absent-default', earlierSql: 'CREATE TABLE accounts (id serial PRIMARY KEY, note text, status text DEFAULT \'active\');', positive: 'ALTER TABLE accounts ALTER COLUMN note DROP DEFAULT;', negative: 'ALTER TABLE accounts ALTER COLUMN status DROP DEFAULT;', says: /never gave it/ },
  { rule: 'dropping-absent-default', earlierSql: 'CREATE TABLE accounts (id serial PRIMARY KEY, note text);', positive: 'ALTER TABLE accounts ALTER COLUMN note DROP DEFAULT;', negative: 'ALTER TABLE accounts ALTER COLUMN id DROP DEFAULT;' },
  { rule: 'keeping-column-default', positive: "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'active';", negative: "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'pending';", downSql: "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'active';" },
  { rule: 'changing-what-this-migration-creates', positive: 'CREATE TABLE staging (id int); DELETE FROM staging;', negative: 'DELETE FROM staging;' },
  { rule: 'changing-what-this-migration-creates', positive: 'CREATE UNIQUE INDEX uq_tmp ON orders (code); DROP INDEX uq_tmp;', negative: 'DROP INDEX uq_tmp;' },
  { rule: 'changing-what-this-migration-creates', positive: 'ALTER TABLE orders ADD COLUMN tmp int; ALTER TABLE orders DROP COLUMN tmp;', negative: 'ALTER TABLE orders DROP COLUMN tmp;' },

  // 6. Too strict before: widening, re-created views, new functions
  { rule: 'widening-column-type', positive: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint;', negative: 'ALTER TABLE accounts ALTER COLUMN id TYPE smallint;' },
  { rule: 'widening-column-type', positive: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(64);', negative: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(10);', downSql: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(20);' },
  { rule: 'widening-column-type', positive: 'ALTER TABLE accounts ALTER COLUMN name TYPE text;', negative: 'ALTER TABLE accounts ALTER COLUMN name TYPE int USING name::int;' },
  { rule: 'widening-column-type', positive: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(12,2);', negative: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(12,3);', downSql: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(10,2);' },
  { rule: 'widening-column-type', positive: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar;', negative: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(64);' },
  { rule: 'widening-column-type', positive: 'ALTER TABLE accounts ALTER COLUMN n TYPE integer;', negative: 'ALTER TABLE accounts ALTER COLUMN n TYPE integer;', downSql: 'ALTER TABLE accounts ALTER COLUMN n TYPE smallint;', negativeDownSql: 'ALTER TABLE accounts ALTER COLUMN n TYPE bigint;' },
  { rule: 'recreating-view', positive: 'DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email, plan FROM accounts WHERE active;', negative: 'DROP VIEW active_accounts;', downSql: 'DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email FROM accounts WHERE active;' },
  { rule: 'rounding-column-values', positive: 'ALTER TABLE accounts ALTER COLUMN price TYPE integer;', negative: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(12,2);', downSql: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(10,2);', says: /rounds the stored values/ },
  { rule: 'changing-view-definition', positive: "DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email FROM accounts WHERE status <> 'active';", negative: "DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email, name FROM accounts WHERE status = 'active';", downSql: "DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email FROM accounts WHERE status = 'active';", fix: "DROP VIEW IF EXISTS active_accounts;\nCREATE VIEW active_accounts AS SELECT id, email FROM accounts WHERE status = 'active';" },
  { rule: 'changing-view-definition', positive: 'CREATE OR REPLACE VIEW v AS SELECT id, lower(email) AS email FROM accounts;', negative: 'CREATE OR REPLACE VIEW v AS SELECT id, email, name FROM accounts;', downSql: 'CREATE OR REPLACE VIEW v AS SELECT id, email FROM accounts;' },
  { rule: 'changing-function-body', positive: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 3 $$;', negative: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$;', downSql: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$;', fix: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$;', says: /get the new behaviour/ },
  { rule: 'replacing-function-unchanged', positive: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$;', negative: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 3 $$;', downSql: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$;' },
  { rule: 'recreating-view', positive: 'DROP VIEW v; CREATE VIEW v AS SELECT * FROM accounts;', negative: 'DROP VIEW v; CREATE VIEW w AS SELECT * FROM accounts;' },
  { rule: 'recreating-view-without-columns', positive: 'DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id FROM accounts;', negative: 'DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email FROM accounts;', downSql: 'DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email FROM accounts;', says: /does not exist/ },
  { rule: 'creating-function', positive: 'CREATE OR REPLACE FUNCTION normalise_email(text) RETURNS text LANGUAGE sql AS $$ SELECT lower($1) $$;', negative: 'CREATE OR REPLACE FUNCTION normalise_email(text) RETURNS text LANGUAGE sql AS $$ SELECT lower($1) $$;', negativeDownSql: 'CREATE OR REPLACE FUNCTION normalise_email(text) RETURNS text LANGUAGE sql AS $$ SELECT $1 $$;', says: /judged within this file/ },
  { rule: 'creating-function', positive: 'CREATE OR REPLACE FUNCTION tax(numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT $1 * 0.2 $$;', negative: 'CREATE FUNCTION tax(numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT $1 * 0.2 $$;', downSql: 'DROP FUNCTION tax(numeric);', says: /the down path drops it/ },
];
