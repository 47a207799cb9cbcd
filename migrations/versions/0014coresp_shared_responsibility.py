"""shared responsibility: a case's lead unit may be its township, co-responsible departments;
free-text problems (存在问题) as triage items; the county office's routing changes

Revision ID: 0014coresp
Revises: 0015operations
"""
from alembic import op
import sqlalchemy as sa

revision = '0014coresp'
down_revision = '0015operations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('help_case', schema=None) as batch_op:
        batch_op.alter_column('department_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(
            sa.Column('lead_township', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('gap', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('rerouted', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column('cause', sa.String(length=16), nullable=False, server_default='')
        )
    op.create_table(
        'case_co_unit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['help_case.id'], name=op.f('fk_case_co_unit_case_id_help_case')),
        sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_case_co_unit_department_id_department')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_co_unit')),
        sa.UniqueConstraint('case_id', 'department_id', name='uq_case_co_unit'),
    )
    op.create_index('ix_case_co_unit_case_id', 'case_co_unit', ['case_id'])
    op.create_index('ix_case_co_unit_department_id', 'case_co_unit', ['department_id'])
    op.create_table(
        'problem_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column(
            'subject_kind',
            sa.Enum('household', 'village', 'township', name='note_subject', native_enum=False,
                    create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column('household_id', sa.Integer(), nullable=True),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('row_number', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column(
            'status',
            sa.Enum('open', 'gap', 'closed', name='problem_status', native_enum=False,
                    create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('gap_id', sa.Integer(), nullable=True),
        sa.Column('found_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_problem_note_round_id_round')),
        sa.ForeignKeyConstraint(['submission_id'], ['survey_submission.id'], name=op.f('fk_problem_note_submission_id_survey_submission')),
        sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_problem_note_household_id_household')),
        sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_problem_note_village_id_village')),
        sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_problem_note_township_id_township')),
        sa.ForeignKeyConstraint(['gap_id'], ['gap.id'], name=op.f('fk_problem_note_gap_id_gap')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_note')),
    )
    op.create_index('ix_problem_note_submission_id', 'problem_note', ['submission_id'])
    op.create_index('ix_problem_note_triage', 'problem_note', ['round_id', 'status', 'township_id'])
    op.create_table(
        'routing_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('subject_kind', sa.String(length=16), nullable=False),
        sa.Column('indicator_code', sa.String(length=40), nullable=False),
        sa.Column('cause', sa.String(length=16), nullable=False),
        sa.Column('lead_code', sa.String(length=16), nullable=False),
        sa.Column('co_codes', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_routing_change_changed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_change')),
        sa.UniqueConstraint('version', name='uq_routing_change_version'),
    )


def downgrade():
    op.drop_table('routing_change')
    op.drop_index('ix_problem_note_triage', table_name='problem_note')
    op.drop_index('ix_problem_note_submission_id', table_name='problem_note')
    op.drop_table('problem_note')
    op.drop_index('ix_case_co_unit_department_id', table_name='case_co_unit')
    op.drop_index('ix_case_co_unit_case_id', table_name='case_co_unit')
    op.drop_table('case_co_unit')
    with op.batch_alter_table('gap', schema=None) as batch_op:
        batch_op.drop_column('cause')
        batch_op.drop_column('rerouted')
    with op.batch_alter_table('help_case', schema=None) as batch_op:
        batch_op.drop_column('lead_township')
        batch_op.alter_column('department_id', existing_type=sa.Integer(), nullable=False)
