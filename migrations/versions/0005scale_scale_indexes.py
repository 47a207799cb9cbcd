"""indexes for scale

Revision ID: 0005scale
Revises: 0004login
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0005scale'
down_revision = '0004login'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
