// The Migrations view's "Applied state unknown" line quotes psql's error and the configured
// `migrations.sql` command, which may carry the password. Read against a real PostgreSQL
// (test/support/postgres.ts) through the real psql: the raw state has the password, the
// state as AppliedStateReader hands it to the view (redactDeep) has none.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readAppliedState } from '../../../src/core/database';
import { REDACTED, Redactor } from '../../../src/core/redact';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { PsqlClient } from '../../../src/infra/sql/pgClient';
import { startPostgres, type TestPostgres } from '../../support/postgres';

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

test('a psql error in the Migrations view shows no password (PGPASSWORD=…, user:pass@ URL, a .env value)', async () => {
  const redactor = new Redactor();
  redactor.setSource('env-file:.env', ['env-Secret-9f3k']);
  const commands = [
    { sql: `PGPASSWORD=pg-Pass-7731 psql -h ${pg.host} -p ${pg.port} -U postgres -d no_such_db`, secret: 'pg-Pass-7731' },
    { sql: `psql postgresql://postgres:url-Pass-4410@${pg.host}:${pg.port}/no_such_db`, secret: 'url-Pass-4410' },
    { sql: `PGPASSWORD=env-Secret-9f3k psql -h ${pg.host} -p ${pg.port} -U postgres -d no_such_db`, secret: 'env-Secret-9f3k' },
  ];
  for (const c of commands) {
    const state = await readAppliedState({ tool: 'alembic', migrations: [], db: new PsqlClient(new LocalCommandRunner(), c.sql) });
    assert.equal(state.readable, false);
    assert.match(state.message ?? '', /no_such_db/, 'psql said what is wrong');
    assert.ok(state.message?.includes(c.secret), `the raw message quotes the command with its password (this is what leaked): ${state.message}`);
    const shown = redactor.redactDeep(state);
    assert.ok(!shown.message?.includes(c.secret), shown.message);
    assert.ok(shown.message?.includes(REDACTED) && shown.message.includes('no_such_db'), `still says what is wrong: ${shown.message}`);
    assert.equal(shown.marks, state.marks);
  }
});
