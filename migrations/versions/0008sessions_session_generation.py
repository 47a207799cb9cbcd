"""sessions the server can end: a per-user session generation

Revision ID: 0008sessions
Revises: 0005scale
"""
from alembic import op
import sqlalchemy as sa

revision = '0008sessions'
down_revision = '0007register'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(
            sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0')
        )


def downgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('session_generation')
