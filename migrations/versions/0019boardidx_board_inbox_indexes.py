"""indexes for the overdue board and the inbox's counts at a million tasks

The board reads a round's open cases (not finished, not verified) by township, by department
or county-wide, most overdue first, and counts them by band and by group: on PostgreSQL
partial indexes over the open cases only, in (due_at, id) order, carrying the grouping units so
that counting reads no table row. The weekly trend reads every case of a township's round by
when it was opened, done and due: one covering index. On PostgreSQL the READY tasks' partial indexes are
rebuilt without their leading state (see below) and carry what the inbox's badge and task kinds
read (assignee, step name and title), so those are index-only too. On SQLite the case indexes
are plain ones (INCLUDE and WHERE are PostgreSQL's) and the task indexes stay as they were.

Revision ID: 0019boardidx
Revises: 0018language
"""
from alembic import op
import sqlalchemy as sa

revision = '0019boardidx'
down_revision = '0018language'
branch_labels = None
depends_on = None

OPEN = sa.text("status NOT IN ('closed', 'carried_over') AND verified_at IS NULL")
READY = sa.text("state = 'ready'")
CASE_INDEXES = (
    ('ix_help_case_open_township', ['round_id', 'township_id', 'due_at', 'id'],
     ['department_id', 'village_id'], OPEN),
    ('ix_help_case_open_department', ['round_id', 'department_id', 'due_at', 'id'],
     ['township_id', 'village_id'], OPEN),
    ('ix_help_case_open_round', ['round_id', 'due_at', 'id'],
     ['township_id', 'village_id', 'department_id'], OPEN),
    ('ix_help_case_trend_township', ['round_id', 'township_id', 'opened_at'],
     ['due_at', 'verified_at', 'closed_at'], None),
)
TASK_COLUMNS = (
    ('department', ['role', 'department_id']),
    ('township', ['role', 'township_id']),
    ('village', ['role', 'village_id']),
    ('assignee', ['assignee_id']),
)
TASK_INCLUDE = ['assignee_id', 'spec_name', 'title']


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    for name, columns, include, where in CASE_INDEXES:
        op.create_index(
            name, 'help_case', columns, postgresql_include=include, postgresql_where=where
        )
    if not _postgresql():
        return
    # 0005scale's READY indexes were led by the state, which their predicate implies: the
    # planner drops that condition and then reads the whole index for a role in a unit.
    for name, columns in TASK_COLUMNS:
        op.drop_index(f'ix_human_task_ready_{name}', table_name='human_task')
        op.create_index(
            f'ix_human_task_ready_{name}_pg',
            'human_task',
            [*columns, 'due_at'],
            postgresql_include=[c for c in TASK_INCLUDE if c not in columns],
            postgresql_where=READY,
        )


def downgrade():
    if _postgresql():
        for name, columns in reversed(TASK_COLUMNS):
            op.drop_index(f'ix_human_task_ready_{name}_pg', table_name='human_task')
            op.create_index(
                f'ix_human_task_ready_{name}',
                'human_task',
                ['state', *columns, 'due_at'],
                postgresql_where=READY,
            )
    for name, _columns, _include, _where in reversed(CASE_INDEXES):
        op.drop_index(name, table_name='help_case')
