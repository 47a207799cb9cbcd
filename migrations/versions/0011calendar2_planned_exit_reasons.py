"""the year-end acceptance of planned exits keeps its reasons (a 不达标 needs one); a round
remembers when it was closed (the 年度工作 page's line of rounds)

Revision ID: 0011calendar2
Revises: 0012inspections
"""
from alembic import op
import sqlalchemy as sa

revision = '0011calendar2'
down_revision = '0012inspections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('planned_exit_review', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('proposed_reason', sa.String(2000), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('decided_reason', sa.String(2000), nullable=False, server_default='')
        )
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('planned_exit_review', schema=None) as batch_op:
        batch_op.drop_column('decided_reason')
        batch_op.drop_column('proposed_reason')
