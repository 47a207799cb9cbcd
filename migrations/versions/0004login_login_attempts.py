"""login attempts (rate limit)

Revision ID: 0004login
Revises: 0003apitokens
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0004login'
down_revision = '0003apitokens'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
