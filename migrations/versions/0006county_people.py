"""a first password is changed at first login; a person's mobile number

People created by the administrator or by a county base-data load get a first password that
they must change when they first log in. The 人员 sheet of the base data gives each a mobile.

Revision ID: 0006county
Revises: 0005scale
"""

from alembic import op
import sqlalchemy as sa

revision = "0006county"
down_revision = "0005scale"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("phone")
