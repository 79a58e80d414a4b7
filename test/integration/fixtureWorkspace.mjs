// A small but real service repository for the integration suite: five SemVer
// releases with commits between them, one non-SemVer tag, Alembic migrations whose
// file names do not follow their chain, and a valid rollback.yml.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function makeIntegrationWorkspace(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let clock = Date.UTC(2026, 9, 1, 9, 0, 0) / 1000;
  const git = (...args) => {
    clock += 3600;
    return execFileSync('git', ['-c', 'user.name=Dana Ops', '-c', 'user.email=dana@example.com', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
      cwd: dir,
      env: { ...process.env, GIT_AUTHOR_DATE: `${clock} +0000`, GIT_COMMITTER_DATE: `${clock} +0000` },
      encoding: 'utf8',
    }).trim();
  };
  const write = (rel, text) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  const commit = (msg) => { git('add', '-A'); git('commit', '-q', '-m', msg); };
  const alembic = (file, rev, down, body) => write(`alembic/versions/${file}`,
    `"""${file}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '${rev}'\ndown_revision = ${down ? `'${down}'` : 'None'}\n\n\ndef upgrade():\n    ${body}\n\n\ndef downgrade():\n    pass\n`);

  git('init', '-q', '-b', 'main');
  write('README.md', '# shop\n');
  write('apps/api/server.js', 'console.log("api v1.0.0");\n');
  alembic('c3_create_users.py', 'c3a1', null, "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))");
  commit('Initial api and users table');
  git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0');

  alembic('a9_add_orders.py', 'a9b2', 'c3a1', "op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True))");
  commit('Add orders table');
  write('apps/api/server.js', 'console.log("api v1.1.0");\n');
  commit('Serve orders');
  git('tag', 'v1.1.0');

  alembic('b1_users_email.py', 'b1c3', 'a9b2', "op.add_column('users', sa.Column('email', sa.String(), nullable=False))");
  commit('Require an email on users');
  git('tag', '-a', 'v1.2.0', '-m', 'v1.2.0');

  write('apps/api/server.js', 'console.log("api v1.3.0");\n');
  commit('Faster order listing');
  git('tag', 'nightly-2026-10-01');
  alembic('0f_audit_trigger.py', '0fd4', 'b1c3', "op.execute('CREATE TRIGGER audit AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION audit()')");
  commit('Audit trigger on orders');
  git('tag', '-a', 'v1.3.0', '-m', 'v1.3.0');

  alembic('d2_drop_legacy.py', 'd2e5', '0fd4', "op.drop_column('users', 'legacy_name')");
  commit('Drop users.legacy_name');
  write('apps/api/server.js', 'console.log("api v1.4.0");\n');
  commit('Release 1.4');
  git('tag', '-a', 'v1.4.0', '-m', 'v1.4.0');

  write('rollback.yml', [
    '# Rollback Pilot configuration for the integration fixture',
    'releases:',
    '  tags: "v*"',
    'environments:',
    '  production:',
    '    host: local',
    '    path: .',
    '    branch: main',
    '    strategy: revert',
    'services:',
    '  api:',
    '    build: echo build api',
    '    deploy: echo deploy api',
    '    paths: ["apps/api/**"]',
    'migrations:',
    '  tool: alembic',
    '  dir: alembic/versions',
    '',
  ].join('\n'));
  commit('Add rollback.yml');
  return dir;
}
