// Family 2: PostgreSQL migrations whose comments or strings hold what looks like MySQL
// (Prisma's "Warnings" header quotes names in backticks). The tool's configuration says
// PostgreSQL, or the code without its comments does; the file is parsed, not read as text.

import { knexCase, pgmCase, prismaCase, PRISMA_HEADER, type CorpusCase } from './schema';

const f = '2 dialect' as const;
const COUPONS = 'CREATE TABLE coupons (id serial PRIMARY KEY, code text NOT NULL);\nGRANT SELECT, INSERT ON coupons TO app;\nGRANT USAGE ON SEQUENCE coupons_id_seq TO app;';
const COUPONS_OLD = ["INSERT INTO coupons (code) VALUES ('X') RETURNING code;"];
const P = (sql: string) => ({ source: prismaCase(sql), migration: sql });
const REQUIRED = `${PRISMA_HEADER('role', 'accounts')}-- AlterTable\nALTER TABLE "accounts" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'user';\nALTER TABLE "accounts" ALTER COLUMN "role" DROP DEFAULT;\n`;

export const DIALECT: CorpusCase[] = [
  { family: f, name: 'Prisma warning, required column whose default is dropped', rules: ['adding-field-with-default', 'removing-column-default'], ...P(REQUIRED) },
  { family: f, name: 'Prisma warning, nullable column', rules: ['adding-nullable-field'], ...P(`${PRISMA_HEADER('role', 'accounts')}-- AlterTable\nALTER TABLE "accounts" ADD COLUMN "role" TEXT;\n`) },
  { family: f, name: 'Prisma warning, required column with its default kept', rules: ['adding-field-with-default'], ...P(`${PRISMA_HEADER('role', 'accounts')}-- AlterTable\nALTER TABLE "accounts" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'user';\n`) },
  { family: f, name: 'Prisma warning, required column on an empty table', rules: ['adding-required-field'], setup: COUPONS, old: COUPONS_OLD, ...P(`${PRISMA_HEADER('discount', 'coupons')}-- AlterTable\nALTER TABLE "coupons" ADD COLUMN "discount" INTEGER NOT NULL;\n`) },
  { family: f, name: 'Prisma warning about a dropped column', rules: ['ban-drop-column'], ...P('/*\n  Warnings:\n\n  - You are about to drop the column `note` on the `accounts` table. All the data in the column will be lost.\n\n*/\n-- AlterTable\nALTER TABLE "accounts" DROP COLUMN "note";\n') },
  { family: f, name: 'Prisma warning, unique index on name', rules: ['adding-unique-index'], ...P('/*\n  Warnings:\n\n  - A unique constraint covering the columns `[name]` on the table `accounts` will be added. If there are existing duplicate values, this will fail.\n\n*/\n-- CreateIndex\nCREATE UNIQUE INDEX "accounts_name_key" ON "accounts"("name");\n') },
  { family: f, name: 'Prisma warning, widening name to VARCHAR(64)', rules: ['widening-column-type'], ...P('/*\n  Warnings:\n\n  - You are about to alter the column `name` on the `accounts` table.\n\n*/\n-- AlterTable\nALTER TABLE "accounts" ALTER COLUMN "name" SET DATA TYPE VARCHAR(64);\n') },
  { family: f, name: 'Prisma: backticks in a -- comment, new table', rules: ['adding-table'], ...P('-- The `audit` table keeps `who` and `when`\nCREATE TABLE "audit" ("id" SERIAL NOT NULL, "who" TEXT, CONSTRAINT "audit_pkey" PRIMARY KEY ("id"));\n') },
  { family: f, name: 'Prisma: backtick inside a string literal', rules: ['no-effect-on-old-code'], ...P('COMMENT ON COLUMN "accounts"."note" IS \'free text, may contain `code`\';\n') },
  { family: f, name: 'Prisma on CockroachDB-compatible provider "postgres"', rules: ['adding-nullable-field'], source: prismaCase('-- `x`\nALTER TABLE "accounts" ADD COLUMN "x" TEXT;\n', 'postgres'), migration: 'ALTER TABLE "accounts" ADD COLUMN "x" TEXT;' },
  {
    family: f,
    name: 'Prisma schema with a misspelt provider',
    rules: ['adding-nullable-field'],
    source: prismaCase('-- AlterTable\nALTER TABLE "accounts" ADD COLUMN "x" TEXT;\n', 'postgress'),
    migration: 'ALTER TABLE "accounts" ADD COLUMN "x" TEXT;',
    undecidable: 'the database of the migrations is unknown until the provider is fixed',
  },
  { family: f, name: 'golang-migrate: backtick in a block comment, required column', rules: ['adding-required-field'], setup: COUPONS, old: COUPONS_OLD, migration: '/* `discount` is filled by the new release */\nALTER TABLE coupons ADD COLUMN discount int NOT NULL;' },
  { family: f, name: 'golang-migrate: backtick in a -- comment, nullable column', rules: ['adding-nullable-field'], migration: '-- adds `nick`\nALTER TABLE accounts ADD COLUMN nick text;' },
  { family: f, name: 'golang-migrate: ENGINE= in a comment, drop column', rules: ['ban-drop-column'], migration: '-- the old ENGINE=InnoDB table had AUTO_INCREMENT ids\nALTER TABLE accounts DROP COLUMN note;' },
  {
    family: f,
    name: 'Knex pg: knex.raw with a backtick in a comment, required column',
    rules: ['adding-required-field'],
    setup: COUPONS,
    old: COUPONS_OLD,
    source: knexCase("  await knex.raw('/* `discount` */ ALTER TABLE coupons ADD COLUMN discount int NOT NULL');", "  await knex.raw('ALTER TABLE coupons DROP COLUMN discount');"),
    migration: 'ALTER TABLE coupons ADD COLUMN discount int NOT NULL;',
  },
  {
    family: f,
    name: 'Knex pg: knex.raw with a backtick in a comment, nullable column',
    rules: ['adding-nullable-field'],
    source: knexCase("  await knex.raw('-- `nick`\\nALTER TABLE accounts ADD COLUMN nick text');", "  await knex.raw('ALTER TABLE accounts DROP COLUMN nick');"),
    migration: 'ALTER TABLE accounts ADD COLUMN nick text;',
  },
  {
    family: f,
    name: 'Knex with a production pg client and a sqlite development client',
    rules: ['ban-drop-column'],
    source: knexCase("  await knex.raw('/* `note` goes */ ALTER TABLE accounts DROP COLUMN note');", "  await knex.raw('ALTER TABLE accounts ADD COLUMN note text');", "module.exports = {\n  development: { client: 'sqlite3', connection: { filename: './dev.sqlite3' } },\n  production: { client: 'pg', connection: process.env.DATABASE_URL },\n};\n"),
    migration: 'ALTER TABLE accounts DROP COLUMN note;',
  },
  {
    family: f,
    name: 'node-pg-migrate: pgm.sql with a backtick in a comment',
    rules: ['adding-unique-constraint'],
    source: pgmCase("  pgm.sql('-- `name` must be unique\\nALTER TABLE accounts ADD CONSTRAINT accounts_name_key UNIQUE (name)');", "  pgm.sql('ALTER TABLE accounts DROP CONSTRAINT accounts_name_key');"),
    migration: 'ALTER TABLE accounts ADD CONSTRAINT accounts_name_key UNIQUE (name);',
  },
];
