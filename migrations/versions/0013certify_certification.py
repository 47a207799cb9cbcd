"""the 核定 steps: when a township's gaps became final for triage (both certified, or lapsed)

Revision ID: 0013certify
Revises: 0016auditstreams
"""
from alembic import op
import sqlalchemy as sa

revision = '0013certify'
down_revision = '0016auditstreams'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('township_survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('final_at', sa.DateTime(), nullable=True))
    # surveys submitted before this version had their gaps opened on submission
    op.execute("UPDATE township_survey SET final_at = submitted_at WHERE status = 'submitted'")


def downgrade():
    with op.batch_alter_table('township_survey', schema=None) as batch_op:
        batch_op.drop_column('final_at')
