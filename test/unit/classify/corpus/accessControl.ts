// Family 3: access control. The previous release connects as `app`; what the migration takes
// away from it (or hides from it) makes its queries fail or see other rows. GRANT stays safe.

import type { CorpusCase } from './schema';

const f = '3 access control' as const;
/** A second tenant's row, so that row-level security shows in what the old code reads. */
const TENANT2 = "INSERT INTO accounts (email, name, tenant) VALUES ('z@x', 'Zed', 2);";
const RLS_TENANT1 = `${TENANT2}\nALTER TABLE accounts ENABLE ROW LEVEL SECURITY;\nCREATE POLICY tenant1 ON accounts USING (tenant = 1) WITH CHECK (tenant = 1);`;
/** daily_totals is rebuilt every night by a job; the previous release reads and appends to it. */
const NIGHTLY = 'DROP TABLE IF EXISTS daily_totals;\nCREATE TABLE daily_totals AS SELECT account_id, sum(total)::int AS total FROM orders GROUP BY account_id;';
const NIGHTLY_OLD = ['SELECT account_id, total FROM daily_totals ORDER BY 1;', 'INSERT INTO daily_totals VALUES (9, 1) RETURNING total;'];

export const ACCESS_CONTROL: CorpusCase[] = [
  { family: f, name: 'REVOKE INSERT on accounts', rules: ['revoking-privileges', 'revoking-grant-option'], migration: 'REVOKE INSERT ON accounts FROM app;' },
  { family: f, name: 'REVOKE UPDATE on orders', rules: ['revoking-privileges'], migration: 'REVOKE UPDATE ON orders FROM app;' },
  { family: f, name: 'REVOKE DELETE, TRUNCATE on accounts', rules: ['revoking-privileges'], migration: 'REVOKE DELETE, TRUNCATE ON TABLE accounts FROM app;' },
  { family: f, name: 'REVOKE SELECT on the view', rules: ['revoking-privileges'], migration: 'REVOKE SELECT ON active_accounts FROM app;' },
  { family: f, name: 'REVOKE USAGE on the id sequence', rules: ['revoking-privileges'], migration: 'REVOKE USAGE ON SEQUENCE accounts_id_seq FROM app;' },
  { family: f, name: 'REVOKE ALL on the ticket sequence', rules: ['revoking-privileges'], migration: 'REVOKE ALL ON SEQUENCE ticket_seq FROM app;' },
  { family: f, name: 'REVOKE USAGE on the schema', rules: ['revoking-privileges', 'revoking-schema-create'], migration: 'REVOKE USAGE ON SCHEMA __S__ FROM app;' },
  { family: f, name: 'REVOKE CREATE on the schema from app', rules: ['revoking-schema-create', 'revoking-privileges'], setup: 'GRANT CREATE ON SCHEMA __S__ TO app;', migration: 'REVOKE CREATE ON SCHEMA __S__ FROM app;' },
  { family: f, name: 'REVOKE ALL ON ALL TABLES IN SCHEMA', rules: ['revoking-privileges'], migration: 'REVOKE ALL ON ALL TABLES IN SCHEMA __S__ FROM app;' },
  { family: f, name: 'REVOKE EXECUTE on price() from app and PUBLIC', rules: ['revoking-privileges'], migration: 'REVOKE EXECUTE ON FUNCTION price(int) FROM app, PUBLIC;' },
  { family: f, name: 'REVOKE … CASCADE on orders', rules: ['revoking-privileges'], migration: 'REVOKE SELECT ON orders FROM app CASCADE;' },
  { family: f, name: 'REVOKE only the grant option', rules: ['revoking-privileges', 'revoking-grant-option'], setup: 'GRANT SELECT ON accounts TO app WITH GRANT OPTION;', migration: 'REVOKE GRANT OPTION FOR SELECT ON accounts FROM app;' },
  { family: f, name: 'GRANT of a privilege app already has', rules: ['revoking-privileges'], migration: 'GRANT INSERT, UPDATE ON accounts TO app;' },
  { family: f, name: 'GRANT TRUNCATE to app', rules: ['revoking-privileges'], migration: 'GRANT TRUNCATE ON accounts TO app;' },
  { family: f, name: 'REVOKE on a table the migration creates', rules: ['revoking-privileges'], migration: 'CREATE TABLE secrets (id int, v text);\nREVOKE ALL ON secrets FROM PUBLIC;\nGRANT SELECT ON secrets TO admin;' },
  { family: f, name: 'REVOKE on a sequence the migration creates', rules: ['revoking-privileges'], migration: 'CREATE SEQUENCE invoice_no;\nREVOKE ALL ON SEQUENCE invoice_no FROM PUBLIC;' },
  { family: f, name: 'GRANT SELECT to reporting', rules: ['revoking-privileges'], migration: 'GRANT SELECT ON ALL TABLES IN SCHEMA __S__ TO reporting;' },
  {
    family: f,
    name: 'REVOKE the role app writes through',
    rules: ['revoking-role'],
    setup: 'REVOKE INSERT, UPDATE ON accounts FROM app;\nGRANT INSERT, UPDATE ON accounts TO writer;\nGRANT writer TO app;',
    migration: 'REVOKE writer FROM app;',
  },
  { family: f, name: 'GRANT a role to app', rules: ['revoking-role'], migration: 'GRANT reporting TO app;' },
  {
    family: f,
    name: 'default privileges: REVOKE INSERT on tables created from now on',
    rules: ['revoking-default-privileges', 'granting-default-privileges'],
    setup: `ALTER DEFAULT PRIVILEGES IN SCHEMA __S__ GRANT SELECT, INSERT ON TABLES TO app;\n${NIGHTLY}`,
    migration: 'ALTER DEFAULT PRIVILEGES IN SCHEMA __S__ REVOKE INSERT ON TABLES FROM app;',
    later: NIGHTLY,
    old: NIGHTLY_OLD,
  },
  {
    family: f,
    name: 'default privileges: GRANT UPDATE on tables created from now on',
    rules: ['revoking-default-privileges', 'granting-default-privileges'],
    setup: `ALTER DEFAULT PRIVILEGES IN SCHEMA __S__ GRANT SELECT, INSERT ON TABLES TO app;\n${NIGHTLY}`,
    migration: 'ALTER DEFAULT PRIVILEGES IN SCHEMA __S__ GRANT UPDATE ON TABLES TO app;',
    later: NIGHTLY,
    old: NIGHTLY_OLD,
  },
  {
    family: f,
    name: 'default privileges for the job role: REVOKE SELECT',
    rules: ['revoking-default-privileges'],
    setup: `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA __S__ GRANT SELECT, INSERT ON TABLES TO app;\n${NIGHTLY}`,
    migration: 'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA __S__ REVOKE SELECT ON TABLES FROM app;',
    later: NIGHTLY,
    old: NIGHTLY_OLD,
  },
  { family: f, name: 'ENABLE ROW LEVEL SECURITY without a policy', rules: ['enabling-row-level-security', 'enabling-row-level-security-with-open-policy', 'relaxing-row-level-security'], setup: TENANT2, migration: 'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;' },
  {
    family: f,
    name: 'ENABLE ROW LEVEL SECURITY with a tenant policy on a setting the old code never sets',
    rules: ['enabling-row-level-security', 'adding-permissive-policy', 'enabling-row-level-security-with-open-policy'],
    setup: TENANT2,
    migration: "CREATE POLICY tenant_isolation ON accounts USING (tenant = current_setting('app.tenant', true)::int);\nALTER TABLE accounts ENABLE ROW LEVEL SECURITY;",
  },
  {
    family: f,
    name: 'ENABLE ROW LEVEL SECURITY with a policy that lets every row through',
    rules: ['enabling-row-level-security', 'adding-permissive-policy', 'enabling-row-level-security-with-open-policy'],
    setup: TENANT2,
    migration: 'CREATE POLICY all_rows ON accounts USING (true) WITH CHECK (true);\nALTER TABLE accounts ENABLE ROW LEVEL SECURITY;',
  },
  { family: f, name: 'ENABLE ROW LEVEL SECURITY on a new table', rules: ['enabling-row-level-security'], migration: 'CREATE TABLE tenants (id int PRIMARY KEY, name text);\nALTER TABLE tenants ENABLE ROW LEVEL SECURITY;' },
  { family: f, name: 'ENABLE ROW LEVEL SECURITY on orders', rules: ['enabling-row-level-security'], migration: 'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;' },
  {
    family: f,
    name: 'FORCE ROW LEVEL SECURITY where app owns the table',
    rules: ['forcing-row-level-security', 'forcing-row-level-security-while-off'],
    setup: `${RLS_TENANT1}\nALTER TABLE accounts OWNER TO app;`,
    migration: 'ALTER TABLE accounts FORCE ROW LEVEL SECURITY;',
  },
  {
    family: f,
    name: 'NO FORCE ROW LEVEL SECURITY',
    rules: ['forcing-row-level-security', 'relaxing-row-level-security'],
    setup: `${RLS_TENANT1}\nALTER TABLE accounts OWNER TO app;\nALTER TABLE accounts FORCE ROW LEVEL SECURITY;`,
    migration: 'ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;',
  },
  { family: f, name: 'DISABLE ROW LEVEL SECURITY the old code was isolated by', rules: ['relaxing-row-level-security'], setup: RLS_TENANT1, migration: 'ALTER TABLE accounts DISABLE ROW LEVEL SECURITY;' },
  {
    family: f,
    name: 'restrictive policy next to an allow-all policy',
    rules: ['adding-restrictive-policy', 'adding-permissive-policy'],
    setup: `${TENANT2}\nALTER TABLE accounts ENABLE ROW LEVEL SECURITY;\nCREATE POLICY all_rows ON accounts USING (true) WITH CHECK (true);`,
    migration: 'CREATE POLICY only_tenant1 ON accounts AS RESTRICTIVE USING (tenant = 1) WITH CHECK (tenant = 1);',
  },
  {
    family: f,
    name: 'restrictive policy for deletes only',
    rules: ['adding-restrictive-policy'],
    setup: 'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;\nCREATE POLICY all_rows ON accounts USING (true) WITH CHECK (true);',
    migration: 'CREATE POLICY "No Deletes" ON accounts AS RESTRICTIVE FOR DELETE TO app USING (false);',
  },
  { family: f, name: 'restrictive policy on a new table', rules: ['adding-restrictive-policy'], migration: 'CREATE TABLE notes (id int, owner text);\nCREATE POLICY mine ON notes AS RESTRICTIVE USING (owner = current_user);' },
  { family: f, name: 'permissive policy for every role, RLS on', rules: ['widening-row-level-security', 'adding-permissive-policy'], setup: RLS_TENANT1, migration: 'CREATE POLICY everyone ON accounts USING (true) WITH CHECK (true);' },
  { family: f, name: 'FORCE ROW LEVEL SECURITY on a table whose row security is off', rules: ['forcing-row-level-security-while-off', 'forcing-row-level-security'], migration: 'ALTER TABLE orders FORCE ROW LEVEL SECURITY;' },
  { family: f, name: 'permissive policy for admin only, RLS on', rules: ['adding-permissive-policy', 'adding-restrictive-policy', 'widening-row-level-security'], setup: RLS_TENANT1, migration: 'CREATE POLICY admin_all ON accounts FOR SELECT TO admin USING (true);' },
  { family: f, name: 'permissive policy on a table without RLS', rules: ['adding-permissive-policy', 'widening-row-level-security'], migration: "CREATE POLICY mine ON accounts USING (status = 'active');" },
  { family: f, name: 'owner change away from the app role', rules: ['changing-owner'], setup: 'REVOKE ALL ON accounts FROM app;\nALTER TABLE accounts OWNER TO app;', migration: 'ALTER TABLE accounts OWNER TO postgres;' },
  { family: f, name: 'owner change of the function app owns', rules: ['changing-owner'], setup: 'REVOKE EXECUTE ON FUNCTION price(int) FROM PUBLIC, app;\nALTER FUNCTION price(int) OWNER TO app;', migration: 'ALTER FUNCTION price(int) OWNER TO admin;' },
  { family: f, name: 'owner change of a table the migration creates', rules: ['changing-owner'], migration: 'CREATE TABLE x (id int);\nALTER TABLE x OWNER TO admin;' },
  { family: f, name: 'owner change of a function the migration creates', rules: ['changing-owner'], migration: 'CREATE FUNCTION tax(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 5 $$;\nALTER FUNCTION tax(int) OWNER TO admin;' },
  {
    family: f,
    name: 'owner change of accounts, app with its own grants',
    rules: ['changing-owner'],
    migration: 'ALTER TABLE accounts OWNER TO admin;',
    undecidable: 'who owned accounts before and whether app holds its own grants is in no migration file',
  },
];
