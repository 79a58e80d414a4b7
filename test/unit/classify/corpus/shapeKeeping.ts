// Family 5: changes that keep every table and column, yet change what the previous
// release's statements do: the unique index its ON CONFLICT needs, a restarted or capped
// sequence, a default it relies on, a collation, a dropped constraint's cascade.

import type { CorpusCase } from './schema';

const f = '5 shape-keeping' as const;
const UQ_CODE_OLD = ["INSERT INTO orders (account_id, code) VALUES (1, 'A1') ON CONFLICT (code) DO NOTHING RETURNING code;"];
const CI = "DROP VIEW active_accounts;\nCREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);";

export const SHAPE_KEEPING: CorpusCase[] = [
  { family: f, name: 'drop the unique constraint ON CONFLICT (email) needs', rules: ['dropping-unique-constraint', 'dropping-constraint', 'dropping-duplicate-unique-key'], migration: 'ALTER TABLE accounts DROP CONSTRAINT accounts_email_key;' },
  {
    family: f,
    name: 'drop a unique index on code while a unique constraint on code stays',
    rules: ['dropping-duplicate-unique-key', 'dropping-unique-index'],
    setup: 'CREATE UNIQUE INDEX orders_code_uidx ON orders (code);\nALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);',
    migration: 'DROP INDEX orders_code_uidx;',
    old: UQ_CODE_OLD,
  },
  { family: f, name: 'drop the unique constraint, IF EXISTS', rules: ['dropping-unique-constraint'], migration: 'ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_email_key;' },
  { family: f, name: "drop Alembic's uq_ unique constraint", rules: ['dropping-unique-constraint'], setup: 'ALTER TABLE orders ADD CONSTRAINT uq_orders_code UNIQUE (code);', migration: 'ALTER TABLE orders DROP CONSTRAINT uq_orders_code;', old: UQ_CODE_OLD },
  { family: f, name: 'drop a unique constraint the migration added', rules: ['dropping-unique-constraint', 'adding-unique-constraint', 'changing-what-this-migration-creates'], migration: 'ALTER TABLE orders ADD CONSTRAINT orders_state_key UNIQUE (state, id);\nALTER TABLE orders DROP CONSTRAINT orders_state_key;' },
  { family: f, name: 'drop the check constraint', rules: ['dropping-unique-constraint', 'dropping-constraint', 'dropping-check-constraint'], migration: 'ALTER TABLE orders DROP CONSTRAINT orders_total_check;' },
  { family: f, name: 'drop the cascading foreign key', rules: ['dropping-constraint', 'dropping-unique-constraint', 'dropping-check-constraint'], migration: 'ALTER TABLE orders DROP CONSTRAINT orders_account_id_fkey;' },
  { family: f, name: 'drop a unique index by its _key name', rules: ['dropping-unique-index', 'dropping-index'], setup: 'CREATE UNIQUE INDEX orders_code_key ON orders (code);', migration: 'DROP INDEX orders_code_key;', old: UQ_CODE_OLD },
  { family: f, name: 'DROP INDEX CONCURRENTLY IF EXISTS a uq_ index', rules: ['dropping-unique-index'], setup: 'CREATE UNIQUE INDEX uq_orders_code ON orders (code);', migration: 'DROP INDEX CONCURRENTLY IF EXISTS uq_orders_code;', old: UQ_CODE_OLD },
  { family: f, name: 'drop a unique index whose name does not say so (an earlier migration made it UNIQUE)', rules: ['dropping-unique-index', 'dropping-index'], setup: 'CREATE UNIQUE INDEX orders_code_idx ON orders (code);', migration: 'DROP INDEX orders_code_idx;', old: UQ_CODE_OLD },
  { family: f, name: 'drop a unique index old code relies on to reject duplicates', rules: ['dropping-unique-index'], setup: 'CREATE UNIQUE INDEX orders_code_unique ON orders (code);', migration: 'DROP INDEX orders_code_unique;', old: ["INSERT INTO orders (account_id, code) VALUES (1, 'A1') RETURNING code;"] },
  { family: f, name: 'drop a plain index', rules: ['dropping-unique-index', 'dropping-index'], migration: 'DROP INDEX accounts_name_idx;' },
  { family: f, name: 'drop a unique index the migration created', rules: ['dropping-unique-index', 'dropping-index', 'changing-what-this-migration-creates'], migration: 'CREATE UNIQUE INDEX uq_tmp ON orders (id, code);\nDROP INDEX uq_tmp;' },
  { family: f, name: 'restart the id sequence at 1', rules: ['restarting-sequence'], migration: 'ALTER SEQUENCE accounts_id_seq RESTART;' },
  { family: f, name: 'restart the orders id sequence WITH 2', rules: ['restarting-sequence'], migration: 'ALTER SEQUENCE orders_id_seq RESTART WITH 2;' },
  { family: f, name: 'restart the ticket sequence at 1 (tickets 1 and 2 exist)', rules: ['restarting-sequence', 'altering-sequence'], migration: 'ALTER SEQUENCE ticket_seq RESTART WITH 1;' },
  {
    family: f,
    name: 'restart the ticket sequence at 500',
    rules: ['restarting-sequence'],
    migration: 'ALTER SEQUENCE ticket_seq RESTART WITH 500;',
    undecidable: 'whether 500 is above every ticket number in use is data, not schema',
  },
  { family: f, name: 'restart a sequence the migration creates', rules: ['restarting-sequence'], migration: 'CREATE SEQUENCE tmp_seq;\nALTER SEQUENCE tmp_seq RESTART WITH 10;' },
  {
    family: f,
    name: 'restart the id sequence far above the ids in use',
    rules: ['restarting-sequence'],
    migration: 'ALTER SEQUENCE accounts_id_seq RESTART WITH 100000;',
    undecidable: 'whether 100000 is above every id in use is data, not schema',
  },
  { family: f, name: 'cap the id sequence below the next id', rules: ['capping-sequence'], migration: 'ALTER SEQUENCE accounts_id_seq MAXVALUE 3;' },
  { family: f, name: 'make the ticket sequence CYCLE at 2', rules: ['capping-sequence'], migration: 'ALTER SEQUENCE ticket_seq MAXVALUE 2 CYCLE;', old: ["INSERT INTO tickets (label) VALUES ('a'), ('b'), ('c') RETURNING label;"] },
  {
    family: f,
    name: 'cap the id sequence far above the ids in use',
    rules: ['capping-sequence'],
    migration: 'ALTER SEQUENCE accounts_id_seq MAXVALUE 1000000;',
    undecidable: 'how close the sequence is to its new maximum is data, not schema',
  },
  { family: f, name: 'NO MAXVALUE on the ticket sequence', rules: ['capping-sequence', 'altering-sequence'], migration: 'ALTER SEQUENCE ticket_seq NO MAXVALUE;' },
  { family: f, name: 'change the ticket sequence cache', rules: ['altering-sequence', 'capping-sequence'], migration: 'ALTER SEQUENCE ticket_seq CACHE 20;' },
  { family: f, name: 'INCREMENT BY 1 (unchanged step)', rules: ['altering-sequence'], migration: 'ALTER SEQUENCE accounts_id_seq INCREMENT BY 1;' },
  { family: f, name: 'INCREMENT BY 10 on the ticket sequence', rules: ['altering-sequence'], migration: 'ALTER SEQUENCE ticket_seq INCREMENT BY 10;', old: ["INSERT INTO tickets (label) VALUES ('a'), ('b') RETURNING label;"] },
  { family: f, name: 'change the status default', rules: ['changing-column-default', 'setting-column-default', 'keeping-column-default', 'removing-column-default'], migration: "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'pending';" },
  { family: f, name: 'change the credits default', rules: ['changing-column-default'], migration: 'ALTER TABLE accounts ALTER COLUMN credits SET DEFAULT 0;' },
  { family: f, name: 'a constant default where there was none', rules: ['changing-column-default'], migration: "ALTER TABLE accounts ALTER COLUMN note SET DEFAULT 'n/a';" },
  { family: f, name: 'a generated default where there was none', rules: ['changing-column-default', 'setting-column-default'], migration: 'ALTER TABLE accounts ALTER COLUMN created_at SET DEFAULT now();' },
  { family: f, name: 'a default on a column the migration adds', rules: ['changing-column-default', 'adding-nullable-field'], migration: "ALTER TABLE accounts ADD COLUMN region text;\nALTER TABLE accounts ALTER COLUMN region SET DEFAULT 'eu';" },
  { family: f, name: 'the same default again', rules: ['changing-column-default', 'keeping-column-default'], migration: "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'active';" },
  { family: f, name: 'drop the status default the old inserts rely on', rules: ['removing-column-default'], migration: 'ALTER TABLE accounts ALTER COLUMN status DROP DEFAULT;' },
  { family: f, name: 'drop a default the column never had (Knex .alter() does this)', rules: ['dropping-absent-default', 'removing-column-default'], migration: 'ALTER TABLE accounts ALTER COLUMN note DROP DEFAULT;', old: ["INSERT INTO accounts (email) VALUES ('d@x') RETURNING note;"] },
  { family: f, name: 'drop the serial default of accounts.id', rules: ['dropping-absent-default', 'removing-column-default'], migration: 'ALTER TABLE accounts ALTER COLUMN id DROP DEFAULT;' },
  { family: f, name: 'drop the orders.state default', rules: ['removing-column-default'], migration: 'ALTER TABLE orders ALTER COLUMN state DROP DEFAULT;' },
  { family: f, name: 'case-insensitive collation on email', rules: ['changing-column-collation', 'widening-column-type'], setup: CI, migration: 'ALTER TABLE accounts ALTER COLUMN email TYPE text COLLATE ci;' },
  { family: f, name: 'case-insensitive collation on name', rules: ['changing-column-collation'], setup: CI, migration: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(20) COLLATE ci;', old: ["SELECT count(*) FROM accounts WHERE name = 'ANN';"] },
  { family: f, name: 'email TYPE text without a collation', rules: ['changing-column-collation', 'widening-column-type'], setup: 'DROP VIEW active_accounts;', migration: 'ALTER TABLE accounts ALTER COLUMN email TYPE text;' },
];
