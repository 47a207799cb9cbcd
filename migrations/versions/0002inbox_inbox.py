"""saved inbox filters and substitutes

Revision ID: 0002inbox
Revises: 12fcbfda6285
"""
from alembic import op
import sqlalchemy as sa

revision = '0002inbox'
down_revision = '12fcbfda6285'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_filter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('query', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_saved_filter_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filter')),
    sa.UniqueConstraint('user_id', 'name', name='uq_saved_filter_user_name')
    )
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_filter_user_id'), ['user_id'], unique=False)

    op.create_table('substitution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('absent_id', sa.Integer(), nullable=False),
    sa.Column('substitute_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_substitution_dates_in_order')),
    sa.CheckConstraint('absent_id <> substitute_id', name=op.f('ck_substitution_not_oneself')),
    sa.ForeignKeyConstraint(['absent_id'], ['user_account.id'], name=op.f('fk_substitution_absent_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_substitution_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['user_account.id'], name=op.f('fk_substitution_ended_by_id_user_account')),
    sa.ForeignKeyConstraint(['substitute_id'], ['user_account.id'], name=op.f('fk_substitution_substitute_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_substitution'))
    )
    with op.batch_alter_table('substitution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_substitution_absent_id'), ['absent_id'], unique=False)
        batch_op.create_index('ix_substitution_substitute_dates', ['substitute_id', 'starts_on', 'ends_on'], unique=False)


def downgrade():
    with op.batch_alter_table('substitution', schema=None) as batch_op:
        batch_op.drop_index('ix_substitution_substitute_dates')
        batch_op.drop_index(batch_op.f('ix_substitution_absent_id'))

    op.drop_table('substitution')
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_filter_user_id'))

    op.drop_table('saved_filter')
