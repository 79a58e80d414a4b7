// A small Alembic project (Debian's python3-alembic, run as /usr/bin/python3 -m alembic) with
// the releases the tests roll back: v1.3.0 creates orders; v1.4.0, the bad one, adds a
// nullable priority column (safe to leave: the old code ignores it) and drops orders.note
// (destructive: undone with one down step); v1.4.1, the fix built on v1.4.0, drops the
// destructive migration and adds its own revision on top of priority.
import { execFileSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';
export const ALEMBIC = `${PYTHON} -m alembic`;

/** Why the Alembic tests cannot run here, or undefined when Debian's python3-alembic and psycopg2 import. */
export function alembicUnavailable(): string | undefined {
  try {
    execFileSync(PYTHON, ['-c', 'import alembic, sqlalchemy, psycopg2'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${PYTHON} cannot import alembic/sqlalchemy/psycopg2: run scripts/setup.sh (it installs Debian's python3-alembic and python3-psycopg2)`;
  }
}

export const REV = { base: 'a1b2c3d4e5f6', priority: 'd21b7c9e0f11', dropNote: '9f3e5a7b1c2d', fix: 'e5f6a7b8c9d0' } as const;

export const FILES = {
  base: `alembic/versions/${REV.base}_create_orders.py`,
  priority: `alembic/versions/${REV.priority}_priority.py`,
  dropNote: `alembic/versions/${REV.dropNote}_drop_note.py`,
  fix: `alembic/versions/${REV.fix}_shipped_at.py`,
};

const ENV_PY = `from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
`;

function revision(rev: string, down: string | null, doc: string, upgrade: string, downgrade: string): string {
  return `"""${doc}

Revision ID: ${rev}
Revises: ${down ?? ''}
Create Date: 2025-01-06 09:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '${rev}'
down_revision = ${down ? `'${down}'` : 'None'}
branch_labels = None
depends_on = None


def upgrade():
${upgrade}


def downgrade():
${downgrade}
`;
}

export function releaseFiles(dbUrl: string): Record<'v1.3.0' | 'v1.4.0' | 'v1.4.1', Record<string, string | null>> {
  return {
    'v1.3.0': {
      'alembic.ini': `[alembic]\nscript_location = alembic\nsqlalchemy.url = ${dbUrl}\n`,
      'alembic/env.py': ENV_PY,
      [FILES.base]: revision(REV.base, null, 'create orders', "    op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('total', sa.Integer(), nullable=False), sa.Column('note', sa.Text(), nullable=True))", "    op.drop_table('orders')"),
      'app/orders.py': "SELECT_ORDERS = 'SELECT id, total, note FROM orders'\n",
    },
    'v1.4.0': {
      [FILES.priority]: revision(REV.priority, REV.base, 'orders priority', "    op.add_column('orders', sa.Column('priority', sa.Integer(), nullable=True))", "    op.drop_column('orders', 'priority')"),
      [FILES.dropNote]: revision(REV.dropNote, REV.priority, 'drop orders.note', "    op.drop_column('orders', 'note')", "    op.add_column('orders', sa.Column('note', sa.Text(), nullable=True))"),
      'app/orders.py': "SELECT_ORDERS = 'SELECT id, total, priority FROM orders ORDER BY priority'\n",
    },
    'v1.4.1': {
      [FILES.dropNote]: null,
      [FILES.fix]: revision(REV.fix, REV.priority, 'orders shipped_at', "    op.add_column('orders', sa.Column('shipped_at', sa.DateTime(), nullable=True))", "    op.drop_column('orders', 'shipped_at')"),
      'app/orders.py': "SELECT_ORDERS = 'SELECT id, total, note, priority, shipped_at FROM orders'\n",
    },
  };
}
