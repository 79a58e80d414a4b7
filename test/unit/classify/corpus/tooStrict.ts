// Family 6: changes that used to be flagged and leave the previous release working —
// widened types, views re-created with at least their columns, new functions — next to the
// look-alikes that do break it (narrowing, a lost column, a changed body or filter).

import type { CorpusCase } from './schema';

const f = '6 too strict' as const;
const W = ['widening-column-type', 'changing-column-type'];
const VIEW = (cols: string, where = "status = 'active'") => `DROP VIEW active_accounts;\nCREATE VIEW active_accounts AS SELECT ${cols} FROM accounts WHERE ${where};\nGRANT SELECT ON active_accounts TO app;`;
const VIEW_DOWN = VIEW('id, email');
const PRICE = (body: string) => `CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT ${body} $$;`;

export const TOO_STRICT: CorpusCase[] = [
  { family: f, name: 'n smallint → bigint', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN n TYPE bigint;' },
  { family: f, name: 'n smallint → integer, previous type from the down file', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN n TYPE integer;', down: 'ALTER TABLE accounts ALTER COLUMN n TYPE smallint;' },
  { family: f, name: 'n smallint → integer, no down file (the earlier migration has the type)', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN n TYPE integer;' },
  { family: f, name: 'credits int → bigint', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN credits TYPE bigint;' },
  { family: f, name: 'orders.total int → numeric', rules: W, setup: '', migration: 'ALTER TABLE orders ALTER COLUMN total TYPE numeric;', down: 'ALTER TABLE orders ALTER COLUMN total TYPE integer;' },
  { family: f, name: 'name varchar(20) → varchar(64), previous type from the down file', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(64);', down: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(20);' },
  { family: f, name: 'name varchar(20) → varchar(64), no down file', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(64);' },
  { family: f, name: 'name varchar(20) → text', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN name TYPE text;' },
  { family: f, name: 'name varchar(20) → varchar', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar;' },
  { family: f, name: 'orders.code varchar(10) → varchar(40), Prisma style SET DATA TYPE', rules: W, migration: 'ALTER TABLE "orders" ALTER COLUMN "code" SET DATA TYPE VARCHAR(40);', down: 'ALTER TABLE "orders" ALTER COLUMN "code" SET DATA TYPE VARCHAR(10);' },
  { family: f, name: 'name varchar(20) → varchar(3) (narrowing)', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(3);', down: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(20);' },
  { family: f, name: 'orders.code varchar(10) → varchar(4) (narrowing)', rules: W, migration: 'ALTER TABLE orders ALTER COLUMN code TYPE varchar(4);', down: 'ALTER TABLE orders ALTER COLUMN code TYPE varchar(10);' },
  { family: f, name: 'price numeric(10,2) → numeric(12,2)', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(12,2);', down: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(10,2);' },
  { family: f, name: 'price numeric(10,2) → numeric', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric;', down: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(10,2);' },
  { family: f, name: 'price numeric(10,2) → numeric(12,3) (scale changes what the old code reads)', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(12,3);', down: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(10,2);' },
  { family: f, name: 'price numeric(10,2) → numeric(8,2) (narrowing)', rules: [...W, 'rounding-column-values'], migration: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(8,2);', down: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(10,2);' },
  { family: f, name: 'price numeric(10,2) → integer USING round (values change)', rules: [...W, 'rounding-column-values'], migration: 'ALTER TABLE accounts ALTER COLUMN price TYPE integer USING round(price)::int;', down: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(10,2);' },
  { family: f, name: 'n smallint → text', rules: W, migration: 'ALTER TABLE accounts ALTER COLUMN n TYPE text;', down: 'ALTER TABLE accounts ALTER COLUMN n TYPE smallint USING n::smallint;' },
  { family: f, name: 'view re-created with a superset of its columns', rules: ['recreating-view', 'recreating-view-without-columns', 'changing-view-definition'], migration: VIEW('id, email, name'), down: VIEW_DOWN },
  { family: f, name: 'view re-created with the same columns, no down file', rules: ['recreating-view'], migration: VIEW('id, email') },
  { family: f, name: 'view re-created as SELECT *', rules: ['recreating-view', 'recreating-view-without-columns'], migration: VIEW('*'), down: VIEW_DOWN },
  { family: f, name: 'view re-created without a column', rules: ['recreating-view-without-columns', 'recreating-view'], migration: VIEW('id'), down: VIEW_DOWN },
  { family: f, name: 'view re-created with its columns and a narrower filter', rules: ['recreating-view', 'changing-view-definition'], migration: VIEW('id, email', "status = 'active' AND id > 1"), down: VIEW_DOWN },
  { family: f, name: 'view dropped and another created', rules: ['recreating-view', 'dropping-object-old-code-uses'], migration: "DROP VIEW active_accounts;\nCREATE VIEW live_accounts AS SELECT id, email FROM accounts WHERE status = 'active';" },
  { family: f, name: 'CREATE OR REPLACE VIEW adding a column at the end', rules: ['replacing-view', 'changing-view-definition'], migration: "CREATE OR REPLACE VIEW active_accounts AS SELECT id, email, name FROM accounts WHERE status = 'active';", down: VIEW_DOWN },
  { family: f, name: 'CREATE OR REPLACE VIEW changing its filter', rules: ['replacing-view', 'changing-view-definition'], migration: "CREATE OR REPLACE VIEW active_accounts AS SELECT id, email FROM accounts WHERE status = 'active' AND id < 2;", down: VIEW_DOWN },
  { family: f, name: 'CREATE OR REPLACE of a new function (the down path drops it)', rules: ['creating-function', 'replacing-function', 'adding-function'], migration: 'CREATE OR REPLACE FUNCTION discount(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 2 $$;', down: 'DROP FUNCTION discount(int);' },
  { family: f, name: 'CREATE OR REPLACE of a new function, no down file', rules: ['creating-function', 'replacing-function'], migration: 'CREATE OR REPLACE FUNCTION discount(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 2 $$;' },
  { family: f, name: 'CREATE FUNCTION (no OR REPLACE)', rules: ['adding-function', 'replacing-function'], migration: 'CREATE FUNCTION discount(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 2 $$;' },
  { family: f, name: 'CREATE OR REPLACE of the function the old code calls, new body', rules: ['replacing-function', 'creating-function', 'replacing-function-unchanged', 'changing-function-body'], migration: PRICE('$1 * 3'), down: PRICE('$1 * 2') },
  { family: f, name: 'CREATE OR REPLACE of the function the old code calls, no down file', rules: ['replacing-function', 'creating-function', 'changing-function-body'], migration: PRICE('$1 * 3') },
  { family: f, name: 'CREATE OR REPLACE of the function the old code calls, same body', rules: ['replacing-function', 'replacing-function-unchanged', 'changing-function-body'], migration: PRICE('$1 * 2'), down: PRICE('$1 * 2') },
  { family: f, name: 'CREATE OR REPLACE of the audit trigger function, new body', rules: ['replacing-function', 'adding-trigger-function', 'changing-function-body'], migration: "CREATE OR REPLACE FUNCTION log_account() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit_log (account_id, action) VALUES (NEW.id, 'changed'); RETURN NEW; END $$;" },
];
