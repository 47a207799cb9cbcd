"""rounds have a kind (mid, end, final): a year holds one round of each kind; a case knows the
round that found it when that is not its own (a year-end round's findings are next year's cases)

Revision ID: 0009calendar
Revises: 0007register
"""
from alembic import op
import sqlalchemy as sa

revision = '0009calendar'
down_revision = '0008sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'kind',
                sa.Enum(
                    'mid', 'end', 'final', name='round_kind', native_enum=False,
                    create_constraint=True, length=32,
                ),
                nullable=False,
                server_default='mid',
            )
        )
        batch_op.drop_constraint(op.f('uq_round_year'), type_='unique')
        batch_op.create_unique_constraint('uq_round_year_kind', ['year', 'kind'])
    op.create_table(
        'planned_exit_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('proposed_meets', sa.Boolean(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('decided_meets', sa.Boolean(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['round_id'], ['round.id'], name=op.f('fk_planned_exit_review_round_id_round')
        ),
        sa.ForeignKeyConstraint(
            ['household_id'], ['household.id'],
            name=op.f('fk_planned_exit_review_household_id_household'),
        ),
        sa.ForeignKeyConstraint(
            ['proposed_by_id'], ['user_account.id'],
            name=op.f('fk_planned_exit_review_proposed_by_id_user_account'),
        ),
        sa.ForeignKeyConstraint(
            ['decided_by_id'], ['user_account.id'],
            name=op.f('fk_planned_exit_review_decided_by_id_user_account'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_exit_review')),
        sa.UniqueConstraint(
            'round_id', 'household_id', name=op.f('uq_planned_exit_review_round_id')
        ),
    )
    with op.batch_alter_table('help_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('found_in_round_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_help_case_found_in_round_id_round'), 'round', ['found_in_round_id'], ['id']
        )


def downgrade():
    op.drop_table('planned_exit_review')
    with op.batch_alter_table('help_case', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_help_case_found_in_round_id_round'), type_='foreignkey')
        batch_op.drop_column('found_in_round_id')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_constraint('uq_round_year_kind', type_='unique')
        batch_op.create_unique_constraint(op.f('uq_round_year'), ['year'])
        batch_op.drop_column('kind')
