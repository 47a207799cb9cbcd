"""indexes for scale

The inboxes, their counts and the overdue board read READY tasks by role and scope, soonest due
first: on PostgreSQL partial indexes over the READY rows only (a few percent of the table), on
SQLite plain ones. The board and the trend read a round's cases by township or department.

Revision ID: 0005scale
Revises: 0004login
"""
from alembic import op
import sqlalchemy as sa

revision = '0005scale'
down_revision = '0004login'
branch_labels = None
depends_on = None

READY = sa.text("state = 'ready'")
TASK_INDEXES = (
    ('ix_human_task_ready_department', ['state', 'role', 'department_id', 'due_at']),
    ('ix_human_task_ready_township', ['state', 'role', 'township_id', 'due_at']),
    ('ix_human_task_ready_village', ['state', 'role', 'village_id', 'due_at']),
    ('ix_human_task_ready_assignee', ['state', 'assignee_id', 'due_at']),
)
CASE_INDEXES = (
    ('ix_help_case_round_township_due', ['round_id', 'township_id', 'due_at']),
    ('ix_help_case_round_department_due', ['round_id', 'department_id', 'due_at']),
)


def upgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        for name, columns in TASK_INDEXES:
            batch_op.create_index(name, columns, unique=False, postgresql_where=READY)
    with op.batch_alter_table('help_case', schema=None) as batch_op:
        for name, columns in CASE_INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('help_case', schema=None) as batch_op:
        for name, _columns in reversed(CASE_INDEXES):
            batch_op.drop_index(name)
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        for name, _columns in reversed(TASK_INDEXES):
            batch_op.drop_index(name)
