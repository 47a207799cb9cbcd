"""the audit log in streams: each transaction appends to a free stream's chain

Revision ID: 0016auditstreams
Revises: 0010archive
"""
import hashlib

from alembic import op
import sqlalchemy as sa

STREAMS = 16  # workflow.platform.audit.STREAMS when this migration was written

revision = '0016auditstreams'
down_revision = '0010archive'
branch_labels = None
depends_on = None


def upgrade():
    # Every event written so far is stream 1's chain, unchanged: its hashes still verify.
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stream', sa.Integer(), nullable=False, server_default='1'))
        batch_op.drop_constraint(batch_op.f('uq_audit_event_seq'), type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_audit_event_stream'), ['stream', 'seq']
        )
    # The other streams' heads, each at its own genesis link; stream 1 is the old chain's head.
    heads = sa.table(
        'audit_head', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
        sa.column('hash', sa.String),
    )
    bind = op.get_bind()
    present = set(bind.execute(sa.select(heads.c.id)).scalars())
    rows = [
        {'id': n, 'seq': 0, 'hash': _genesis(n)}
        for n in range(1, STREAMS + 1)
        if n not in present
    ]
    if rows:
        op.bulk_insert(heads, rows)


def _genesis(stream):
    if stream == 1:
        return '0' * 64
    return hashlib.sha256(f"huitou audit stream {stream}".encode()).hexdigest()


def downgrade():
    op.execute(sa.text('DELETE FROM audit_head WHERE id > 1'))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_stream'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_seq'), ['seq'])
        batch_op.drop_column('stream')
