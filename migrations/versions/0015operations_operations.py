"""operations: incidents of failing instances, the last tick's record, each version's diagram

Revision ID: 0015operations
Revises: 0017reconcile
"""
from alembic import op
import sqlalchemy as sa

revision = '0015operations'
down_revision = '0017reconcile'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'process_incident',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('tick', 'task', name='incident_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('task_name', sa.String(length=80), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('first_failed_at', sa.DateTime(), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('retry_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_process_incident_instance_id_process_instance')),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id'], name=op.f('fk_process_incident_resolved_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process_incident')),
        sa.UniqueConstraint('instance_id', name=op.f('uq_process_incident_instance_id')),
    )
    op.create_index(op.f('ix_process_incident_resolved_at'), 'process_incident', ['resolved_at'])
    op.create_table(
        'tick_run',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('moment', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('advanced', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_tick_run')),
    )
    with op.batch_alter_table('process_spec', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bpmn_xml', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('process_spec', schema=None) as batch_op:
        batch_op.drop_column('bpmn_xml')
    op.drop_table('tick_run')
    op.drop_index(op.f('ix_process_incident_resolved_at'), table_name='process_incident')
    op.drop_table('process_incident')
