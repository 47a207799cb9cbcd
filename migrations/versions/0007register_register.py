"""the 建档立卡 register: versions, members, and the register's fields of a household

Revision ID: 0007register
Revises: 0005scale
"""
from alembic import op
import sqlalchemy as sa

revision = '0007register'
down_revision = '0006county'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'register_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('loaded_by_id', sa.Integer(), nullable=True),
        sa.Column('loaded_at', sa.DateTime(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('households', sa.Integer(), nullable=False),
        sa.Column('members', sa.Integer(), nullable=False),
        sa.Column('changes', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['loaded_by_id'], ['user_account.id'],
            name=op.f('fk_register_version_loaded_by_id_user_account'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_register_version')),
        sa.UniqueConstraint('year', 'number', name=op.f('uq_register_version_year')),
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.alter_column('exit_year', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('household_number', sa.String(length=30), nullable=True))
        batch_op.add_column(
            sa.Column('attribute', sa.String(length=20), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('poverty_cause', sa.String(length=40), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('planned_exit_year', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('helper_unit', sa.String(length=60), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('in_register', sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column('left_version_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            op.f('uq_household_household_number'), ['household_number']
        )
        batch_op.create_foreign_key(
            op.f('fk_household_left_version_id_register_version'),
            'register_version', ['left_version_id'], ['id'],
        )
    op.create_table(
        'household_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=False),
        sa.Column('relation', sa.String(length=20), nullable=False),
        sa.Column('sex', sa.String(length=4), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=False),
        sa.Column('schooling', sa.String(length=30), nullable=False),
        sa.Column('health', sa.String(length=30), nullable=False),
        sa.Column('labour_skill', sa.String(length=30), nullable=False),
        sa.Column('medical_insurance', sa.Boolean(), nullable=False),
        sa.Column('pension_insurance', sa.Boolean(), nullable=False),
        sa.Column('subsistence', sa.Boolean(), nullable=False),
        sa.Column('destitute_support', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('in_register', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.ForeignKeyConstraint(
            ['household_id'], ['household.id'],
            name=op.f('fk_household_member_household_id_household'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_household_member')),
        sa.UniqueConstraint('id_number', name=op.f('uq_household_member_id_number')),
    )
    op.create_index(
        op.f('ix_household_member_household_id'), 'household_member', ['household_id']
    )


def downgrade():
    op.drop_index(op.f('ix_household_member_household_id'), table_name='household_member')
    op.drop_table('household_member')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f('fk_household_left_version_id_register_version'), type_='foreignkey'
        )
        batch_op.drop_constraint(op.f('uq_household_household_number'), type_='unique')
        for column in (
            'left_version_id', 'in_register', 'helper_unit', 'planned_exit_year',
            'poverty_cause', 'attribute', 'household_number',
        ):
            batch_op.drop_column(column)
        batch_op.alter_column('exit_year', existing_type=sa.Integer(), nullable=False)
    op.drop_table('register_version')
