// The down path, judged on its own: after the migration and the new release's writes,
// undoing it must lose nothing the new release wrote and leave the previous release working.

import type { CorpusCase } from './schema';

const f = 'general' as const;

export const DOWN_PATH: CorpusCase[] = [
  {
    family: f,
    name: 'down drops the trigger the up path created',
    rules: ['undoing-new-object', 'dropping-object-old-code-uses'],
    judgeDown: true,
    migration: "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := 'stamped'; RETURN NEW; END $$;\nCREATE TRIGGER orders_stamp BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION stamp();",
    down: 'DROP TRIGGER orders_stamp ON accounts;\nDROP FUNCTION stamp();',
  },
  {
    family: f,
    name: 'down drops the audit trigger the up path did not create',
    rules: ['undoing-new-object', 'dropping-object-old-code-uses'],
    judgeDown: true,
    migration: 'CREATE INDEX audit_action_idx ON audit_log (action);',
    down: 'DROP INDEX audit_action_idx;\nDROP TRIGGER accounts_audit ON accounts;',
  },
  {
    family: f,
    name: 'down drops the unique constraint the up path added',
    rules: ['undoing-new-object'],
    judgeDown: true,
    migration: 'ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);',
    down: 'ALTER TABLE orders DROP CONSTRAINT orders_code_key;',
  },
  {
    family: f,
    name: 'down drops the column the new release has been writing',
    rules: ['ban-drop-column', 'undoing-new-object'],
    judgeDown: true,
    migration: 'ALTER TABLE accounts ADD COLUMN region text;',
    newWrites: "UPDATE accounts SET region = 'eu' WHERE id = 1;",
    newReads: ['SELECT id, region FROM accounts ORDER BY id;'],
    down: 'ALTER TABLE accounts DROP COLUMN region;',
  },
  {
    family: f,
    name: 'down drops the table the new release has been writing',
    rules: ['ban-drop-table'],
    judgeDown: true,
    migration: 'CREATE TABLE invoices (id serial PRIMARY KEY, amount int);',
    newWrites: 'INSERT INTO invoices (amount) VALUES (5);',
    newReads: ['SELECT amount FROM invoices;'],
    down: 'DROP TABLE invoices;',
  },
];
