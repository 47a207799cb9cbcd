"""each person's language (zh or ug) for pages, e-mails and notices; an optional Uyghur-script
name of a household's head in the register

Revision ID: 0018language
Revises: 0014coresp
"""
from alembic import op
import sqlalchemy as sa

revision = '0018language'
down_revision = '0014coresp'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=8), nullable=False, server_default='zh')
        )


    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('head_name_ug', sa.String(length=60), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_column('head_name_ug')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')
