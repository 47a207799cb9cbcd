"""login attempts (rate limit)

Revision ID: 0004login
Revises: 0003apitokens
"""
from alembic import op
import sqlalchemy as sa

revision = '0004login'
down_revision = '0003apitokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=60), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('succeeded', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt')),
    )
    op.create_index('ix_login_attempt_username_at', 'login_attempt', ['username', 'at'])
    op.create_index('ix_login_attempt_address_at', 'login_attempt', ['address', 'at'])


def downgrade():
    op.drop_index('ix_login_attempt_address_at', table_name='login_attempt')
    op.drop_index('ix_login_attempt_username_at', table_name='login_attempt')
    op.drop_table('login_attempt')
