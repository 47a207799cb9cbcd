"""四统一: police register extracts, reconciliation runs and their differences

Revision ID: 0017reconcile
Revises: 0011calendar2
"""
from alembic import op
import sqlalchemy as sa

revision = '0017reconcile'
down_revision = '0011calendar2'
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKeyConstraint(
        [column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}')
    )


def upgrade():
    op.create_table(
        'police_extract',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('loaded_by_id', sa.Integer(), nullable=True),
        sa.Column('loaded_by_name', sa.String(length=60), nullable=False),
        sa.Column('loaded_at', sa.DateTime(), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('households', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        _fk('police_extract', 'county_id', 'county'),
        _fk('police_extract', 'loaded_by_id', 'user_account'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_police_extract')),
    )
    op.create_table(
        'police_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('extract_id', sa.Integer(), nullable=False),
        sa.Column('household_number', sa.String(length=30), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=False),
        sa.Column('relation', sa.String(length=20), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('changed_on', sa.Date(), nullable=True),
        _fk('police_member', 'extract_id', 'police_extract'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_police_member')),
    )
    op.create_index('ix_police_member_person', 'police_member', ['extract_id', 'id_number'])
    op.create_table(
        'reconcile_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=True),
        sa.Column('extract_id', sa.Integer(), nullable=True),
        sa.Column('run_by_id', sa.Integer(), nullable=False),
        sa.Column('run_at', sa.DateTime(), nullable=False),
        sa.Column('households', sa.Integer(), nullable=False),
        sa.Column('differing', sa.Integer(), nullable=False),
        sa.Column('opened', sa.Integer(), nullable=False),
        sa.Column('closed', sa.Integer(), nullable=False),
        _fk('reconcile_run', 'round_id', 'round'),
        _fk('reconcile_run', 'township_id', 'township'),
        _fk('reconcile_run', 'extract_id', 'police_extract'),
        _fk('reconcile_run', 'run_by_id', 'user_account'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reconcile_run')),
    )
    op.create_index(op.f('ix_reconcile_run_round_id'), 'reconcile_run', ['round_id'])
    op.create_table(
        'reconcile_difference',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('gap_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('person_id', sa.String(length=18), nullable=False),
        sa.Column('person_name', sa.String(length=60), nullable=False),
        sa.Column('source_a', sa.String(length=12), nullable=False),
        sa.Column('value_a', sa.String(length=200), nullable=False),
        sa.Column('source_b', sa.String(length=12), nullable=False),
        sa.Column('value_b', sa.String(length=200), nullable=False),
        sa.Column('found_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('right_source', sa.String(length=12), nullable=False),
        sa.Column('correction', sa.Text(), nullable=False),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        _fk('reconcile_difference', 'round_id', 'round'),
        _fk('reconcile_difference', 'household_id', 'household'),
        _fk('reconcile_difference', 'township_id', 'township'),
        _fk('reconcile_difference', 'village_id', 'village'),
        _fk('reconcile_difference', 'gap_id', 'gap'),
        _fk('reconcile_difference', 'resolved_by_id', 'user_account'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reconcile_difference')),
    )
    op.create_index(
        'ix_reconcile_difference_open', 'reconcile_difference', ['round_id', 'closed_at']
    )
    op.create_index(
        op.f('ix_reconcile_difference_household_id'), 'reconcile_difference', ['household_id']
    )
    op.create_index(
        op.f('ix_reconcile_difference_township_id'), 'reconcile_difference', ['township_id']
    )
    op.create_index(op.f('ix_reconcile_difference_gap_id'), 'reconcile_difference', ['gap_id'])


def downgrade():
    op.drop_table('reconcile_difference')
    op.drop_table('reconcile_run')
    op.drop_index('ix_police_member_person', table_name='police_member')
    op.drop_table('police_member')
    op.drop_table('police_extract')
