"""the archive: originals kept by hash, filing and custodians; accountability for every failing

Revision ID: 0010archive
Revises: 0007register
"""
from alembic import op
import sqlalchemy as sa

revision = '0010archive'
down_revision = '0009calendar'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('county', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('retention_years', sa.Integer(), nullable=False, server_default='3')
        )
    op.create_table(
        'archive_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=True),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.String(length=40), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_by_name', sa.String(length=60), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('signature_id', sa.Integer(), nullable=True),
        sa.Column('signer_name', sa.String(length=60), nullable=False),
        sa.Column('signed_at', sa.DateTime(), nullable=True),
        sa.Column('filed_at', sa.DateTime(), nullable=True),
        sa.Column('registered_at', sa.DateTime(), nullable=True),
        sa.Column('retain_until', sa.Date(), nullable=True),
        sa.Column('superseded_at', sa.DateTime(), nullable=True),
        sa.Column('superseded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_archive_document_round_id_round')),
        sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_archive_document_township_id_township')),
        sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_archive_document_village_id_village')),
        sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_archive_document_department_id_department')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_archive_document_uploaded_by_id_user_account')),
        sa.ForeignKeyConstraint(['signature_id'], ['signature.id'], name=op.f('fk_archive_document_signature_id_signature')),
        sa.ForeignKeyConstraint(['superseded_by_id'], ['archive_document.id'], name=op.f('fk_archive_document_superseded_by_id_archive_document')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_document')),
    )
    op.create_index('ix_archive_document_unit', 'archive_document', ['round_id', 'township_id', 'village_id'])
    op.create_index('ix_archive_document_object', 'archive_document', ['object_type', 'object_id'])
    op.create_table(
        'archive_custodian',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('custodian_id', sa.Integer(), nullable=False),
        sa.Column('custodian_name', sa.String(length=60), nullable=False),
        sa.Column('set_by_id', sa.Integer(), nullable=False),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_archive_custodian_township_id_township')),
        sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_archive_custodian_village_id_village')),
        sa.ForeignKeyConstraint(['custodian_id'], ['user_account.id'], name=op.f('fk_archive_custodian_custodian_id_user_account')),
        sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_archive_custodian_set_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_custodian')),
    )
    with op.batch_alter_table('accountability_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='lateness'))
        batch_op.add_column(sa.Column('key', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('gap_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('person_name', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=False, server_default=''))
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('department_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint('uq_accountability_case', type_='unique')
        batch_op.create_foreign_key(op.f('fk_accountability_item_gap_id_gap'), 'gap', ['gap_id'], ['id'])
        batch_op.create_foreign_key(
            op.f('fk_accountability_item_person_id_user_account'), 'user_account', ['person_id'], ['id']
        )
    op.execute("UPDATE accountability_item SET key = 'lateness:' || case_id")
    with op.batch_alter_table('accountability_item', schema=None) as batch_op:
        batch_op.alter_column('key', existing_type=sa.String(length=60), nullable=False)
        batch_op.create_unique_constraint('uq_accountability_key', ['key'])


def downgrade():
    op.execute("DELETE FROM accountability_item WHERE case_id IS NULL OR kind != 'lateness'")
    with op.batch_alter_table('accountability_item', schema=None) as batch_op:
        batch_op.drop_constraint('uq_accountability_key', type_='unique')
        batch_op.drop_constraint(op.f('fk_accountability_item_person_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(op.f('fk_accountability_item_gap_id_gap'), type_='foreignkey')
        for column in ('reason', 'person_name', 'person_id', 'gap_id', 'key', 'kind'):
            batch_op.drop_column(column)
        batch_op.alter_column('department_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_accountability_case', ['case_id'])
    op.drop_table('archive_custodian')
    op.drop_index('ix_archive_document_object', table_name='archive_document')
    op.drop_index('ix_archive_document_unit', table_name='archive_document')
    op.drop_table('archive_document')
    with op.batch_alter_table('county', schema=None) as batch_op:
        batch_op.drop_column('retention_years')
