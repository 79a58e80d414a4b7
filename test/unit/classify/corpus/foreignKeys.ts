// Family 4: foreign keys from a new table (or column) to one the previous release deletes
// from. Nothing fails on the day of the migration; once the new release has written rows
// that point at account 3, the previous release's DELETE of account 3 fails, unless the key
// cascades or clears. Each tool's way of writing the key is here: inline, table constraint,
// Prisma's separate ALTER TABLE after the CREATE, Alembic, Knex and node-pg-migrate.

import { alembicCase, knexCase, pgmCase, prismaCase, type CorpusCase } from './schema';

const f = '4 foreign keys' as const;
const NEW = ['adding-foreign-key-from-new-table', 'adding-foreign-key-with-delete-action'];
const WRITES = 'INSERT INTO invoices (account_id) VALUES (3);';
const inv = (ref: string) => `CREATE TABLE invoices (id serial PRIMARY KEY, account_id int ${ref});`;
const PRISMA_FK = (action: string) =>
  `-- CreateTable\nCREATE TABLE "invoices" (\n    "id" SERIAL NOT NULL,\n    "account_id" INTEGER NOT NULL,\n\n    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")\n);\n\n-- AddForeignKey\nALTER TABLE "invoices" ADD CONSTRAINT "invoices_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE ${action} ON UPDATE CASCADE;\n`;

export const FOREIGN_KEYS: CorpusCase[] = [
  { family: f, name: 'inline REFERENCES (NO ACTION), new release writes a child row', rules: NEW, migration: inv('NOT NULL REFERENCES accounts(id)'), newWrites: WRITES },
  { family: f, name: 'inline REFERENCES … ON DELETE RESTRICT', rules: NEW, migration: inv('REFERENCES accounts ON DELETE RESTRICT'), newWrites: WRITES },
  { family: f, name: 'inline REFERENCES … ON DELETE NO ACTION DEFERRABLE', rules: NEW, migration: inv('REFERENCES accounts ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED'), newWrites: WRITES },
  { family: f, name: 'table constraint FOREIGN KEY, named', rules: NEW, migration: 'CREATE TABLE invoices (id serial PRIMARY KEY, account_id int, CONSTRAINT inv_acc FOREIGN KEY (account_id) REFERENCES accounts (id));', newWrites: WRITES },
  { family: f, name: 'two keys, to accounts and orders', rules: NEW, migration: 'CREATE TABLE invoices (id serial PRIMARY KEY, account_id int REFERENCES accounts, order_id int REFERENCES orders);', newWrites: 'INSERT INTO invoices (account_id, order_id) VALUES (3, 1);' },
  { family: f, name: 'key to orders only (old code deletes accounts, orders cascade)', rules: NEW, migration: 'CREATE TABLE shipments (id serial PRIMARY KEY, order_id int NOT NULL REFERENCES orders);', newWrites: 'INSERT INTO shipments (order_id) VALUES (2);' },
  { family: f, name: 'ON DELETE CASCADE', rules: NEW, migration: inv('NOT NULL REFERENCES accounts ON DELETE CASCADE'), newWrites: WRITES },
  { family: f, name: 'ON DELETE SET NULL on a nullable column', rules: NEW, migration: inv('REFERENCES accounts ON DELETE SET NULL'), newWrites: WRITES },
  { family: f, name: 'ON DELETE SET NULL on a NOT NULL column', rules: NEW, migration: inv('NOT NULL REFERENCES accounts ON DELETE SET NULL'), newWrites: WRITES },
  { family: f, name: 'ON DELETE SET DEFAULT, nullable, no default', rules: NEW, migration: inv('REFERENCES accounts ON DELETE SET DEFAULT'), newWrites: WRITES },
  {
    family: f,
    name: 'ON DELETE SET DEFAULT to account 1',
    rules: NEW,
    migration: inv('NOT NULL DEFAULT 1 REFERENCES accounts ON DELETE SET DEFAULT'),
    newWrites: WRITES,
    undecidable: 'whether the default names an account that exists is data, not schema',
  },
  { family: f, name: 'CASCADE to accounts, RESTRICT to orders', rules: NEW, migration: 'CREATE TABLE invoices (id serial PRIMARY KEY, account_id int REFERENCES accounts ON DELETE CASCADE, order_id int REFERENCES orders ON DELETE RESTRICT);', newWrites: 'INSERT INTO invoices (account_id, order_id) VALUES (2, 2);' },
  { family: f, name: 'key to a table the same migration creates', rules: NEW, migration: 'CREATE TABLE plans (id int PRIMARY KEY);\nCREATE TABLE subscriptions (id serial PRIMARY KEY, plan_id int REFERENCES plans);', newWrites: 'INSERT INTO plans VALUES (1); INSERT INTO subscriptions (plan_id) VALUES (1);' },
  { family: f, name: 'self-referencing new table', rules: NEW, migration: 'CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree);', newWrites: 'INSERT INTO tree VALUES (1, NULL), (2, 1);' },
  { family: f, name: 'new table without a key', rules: NEW, migration: inv('NOT NULL'), newWrites: WRITES },
  { family: f, name: 'new table, key added by a later ALTER in the same file (Prisma), RESTRICT', rules: ['adding-foreign-key-constraint', 'changing-new-table'], source: prismaCase(PRISMA_FK('RESTRICT')), migration: PRISMA_FK('RESTRICT'), newWrites: WRITES },
  { family: f, name: 'new table, key added by a later ALTER in the same file (Prisma), CASCADE', rules: ['adding-foreign-key-constraint', 'changing-new-table'], source: prismaCase(PRISMA_FK('CASCADE')), migration: PRISMA_FK('CASCADE'), newWrites: WRITES },
  { family: f, name: 'new table, key added by a later ALTER in the same file (Prisma), SET NULL on NOT NULL', rules: ['adding-foreign-key-constraint'], source: prismaCase(PRISMA_FK('SET NULL')), migration: PRISMA_FK('SET NULL'), newWrites: WRITES },
  { family: f, name: 'new column REFERENCES accounts', rules: ['adding-foreign-key-constraint'], migration: 'ALTER TABLE accounts ADD COLUMN referrer_id int REFERENCES accounts;', newWrites: 'UPDATE accounts SET referrer_id = 3 WHERE id = 1;' },
  { family: f, name: 'new column REFERENCES accounts ON DELETE SET NULL', rules: ['adding-foreign-key-constraint'], migration: 'ALTER TABLE accounts ADD COLUMN referrer_id int REFERENCES accounts ON DELETE SET NULL;', newWrites: 'UPDATE accounts SET referrer_id = 3 WHERE id = 1;' },
  { family: f, name: 'separate ADD CONSTRAINT … FOREIGN KEY on an existing table', rules: ['adding-foreign-key-constraint'], migration: 'ALTER TABLE audit_log ADD CONSTRAINT audit_log_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);' },
  { family: f, name: 'separate ADD CONSTRAINT … NOT VALID', rules: ['adding-foreign-key-constraint'], migration: 'ALTER TABLE audit_log ADD CONSTRAINT audit_log_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;' },
  { family: f, name: 'a plain new column on audit_log', rules: ['adding-foreign-key-constraint'], migration: 'ALTER TABLE audit_log ADD COLUMN reason text;' },
  {
    family: f,
    name: 'Alembic create_table with sa.ForeignKey',
    rules: NEW,
    source: alembicCase("def upgrade():\n    op.create_table('invoices', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('account_id', sa.Integer(), sa.ForeignKey('accounts.id'), nullable=False))\n\n\ndef downgrade():\n    op.drop_table('invoices')"),
    migration: inv('NOT NULL REFERENCES accounts (id)'),
    newWrites: WRITES,
  },
  {
    family: f,
    name: "Alembic create_table with ForeignKeyConstraint(ondelete='CASCADE')",
    rules: NEW,
    source: alembicCase("def upgrade():\n    op.create_table(\n        'invoices',\n        sa.Column('id', sa.Integer(), primary_key=True),\n        sa.Column('account_id', sa.Integer(), nullable=False),\n        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),\n    )\n\n\ndef downgrade():\n    op.drop_table('invoices')"),
    migration: inv('NOT NULL REFERENCES accounts (id) ON DELETE CASCADE'),
    newWrites: WRITES,
  },
  {
    family: f,
    name: 'Knex createTable with references().inTable()',
    rules: NEW,
    source: knexCase("  await knex.schema.createTable('invoices', (t) => {\n    t.increments('id');\n    t.integer('account_id').notNullable().references('id').inTable('accounts');\n  });", "  await knex.schema.dropTable('invoices');"),
    // Knex names the key <table>_<column>_foreign (its ALTER TABLE … ADD CONSTRAINT after the CREATE TABLE).
    migration: inv('NOT NULL CONSTRAINT invoices_account_id_foreign REFERENCES accounts (id)'),
    newWrites: WRITES,
  },
  {
    family: f,
    name: "node-pg-migrate createTable with references and onDelete: 'CASCADE'",
    rules: NEW,
    source: pgmCase("  pgm.createTable('invoices', { id: 'id', account_id: { type: 'integer', notNull: true, references: 'accounts', onDelete: 'CASCADE' } });", "  pgm.dropTable('invoices');"),
    migration: inv('NOT NULL REFERENCES accounts ON DELETE CASCADE'),
    newWrites: WRITES,
  },
  {
    family: f,
    name: 'node-pg-migrate createTable with references (NO ACTION)',
    rules: NEW,
    source: pgmCase("  pgm.createTable('invoices', { id: 'id', account_id: { type: 'integer', notNull: true, references: 'accounts' } });", "  pgm.dropTable('invoices');"),
    migration: inv('NOT NULL REFERENCES accounts'),
    newWrites: WRITES,
  },
];
