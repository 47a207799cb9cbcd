"""定期督查 (§七.3): inspections with their frozen checklists; a signature records the file signed

Revision ID: 0012inspections
Revises: 0013certify
"""
from alembic import op
import sqlalchemy as sa

revision = '0012inspections'
down_revision = '0013certify'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_sha256', sa.String(length=64), nullable=True))
    op.create_table(
        'inspection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('scheduled_on', sa.Date(), nullable=False),
        sa.Column('inspectors', sa.String(length=200), nullable=False),
        sa.Column('scheduled_by_id', sa.Integer(), nullable=False),
        sa.Column('scheduled_by_name', sa.String(length=60), nullable=False),
        sa.Column('scheduled_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.Enum('scheduled', 'recorded', name='inspection_status', native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('conclusion', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by_name', sa.String(length=60), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            '(township_id IS NULL AND department_id IS NOT NULL) OR (township_id IS NOT NULL AND department_id IS NULL)',
            name=op.f('ck_inspection_one_unit'),
        ),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_inspection_round_id_round')),
        sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_inspection_township_id_township')),
        sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_inspection_department_id_department')),
        sa.ForeignKeyConstraint(['scheduled_by_id'], ['user_account.id'], name=op.f('fk_inspection_scheduled_by_id_user_account')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_inspection_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    )
    op.create_index('ix_inspection_round', 'inspection', ['round_id', 'scheduled_on'])
    op.create_table(
        'inspection_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('responsible', sa.String(length=200), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('overdue_days', sa.Integer(), nullable=False),
        sa.Column('result', sa.Enum('pending', 'rectified', 'not_rectified', 'explained', name='inspection_result', native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('case', 'item')", name=op.f('ck_inspection_line_kind')),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_line_inspection_id_inspection')),
        sa.ForeignKeyConstraint(['case_id'], ['help_case.id'], name=op.f('fk_inspection_line_case_id_help_case')),
        sa.ForeignKeyConstraint(['item_id'], ['accountability_item.id'], name=op.f('fk_inspection_line_item_id_accountability_item')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_line')),
        sa.UniqueConstraint('inspection_id', 'seq', name='uq_inspection_line_seq'),
    )


def downgrade():
    op.drop_table('inspection_line')
    op.drop_index('ix_inspection_round', table_name='inspection')
    op.drop_table('inspection')
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_column('file_sha256')
