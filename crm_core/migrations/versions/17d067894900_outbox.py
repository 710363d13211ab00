"""Transactional outbox table (ERP-01, MSG-01).

Revision ID: 17d067894900
Revises: 55924b07878c
Create Date: 2026-11-23 11:35:45.793433
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = '17d067894900'
down_revision = '55924b07878c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crm_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=80), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.Column('sent_at', crm_core.models.types.UTCDateTime(), nullable=True),
    sa.Column('element_type', sa.String(length=60), nullable=True),
    sa.Column('element_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_crm_outbox_idempotency_key'))
    )
    with op.batch_alter_table('crm_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_crm_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_crm_outbox_element', ['element_type', 'element_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('crm_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_outbox_element')
        batch_op.drop_index('ix_crm_outbox_due')

    op.drop_table('crm_outbox')
