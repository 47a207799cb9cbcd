"""saved inbox filters and substitutes

Revision ID: 0002inbox
Revises: 12fcbfda6285
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0002inbox'
down_revision = '12fcbfda6285'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
