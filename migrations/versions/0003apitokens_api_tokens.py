"""API tokens

Revision ID: 0003apitokens
Revises: 0002inbox
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0003apitokens'
down_revision = '0002inbox'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
