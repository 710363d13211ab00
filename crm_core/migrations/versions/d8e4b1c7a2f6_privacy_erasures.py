"""privacy erase: the log of erasures (CORE-21)

Revision ID: d8e4b1c7a2f6
Revises: c3f5a7d9e1b2
Create Date: 2026-11-30 12:00:00.000000
"""

from alembic import op
import sqlalchemy as sa

import crm_core.models.types


revision = 'd8e4b1c7a2f6'
down_revision = 'c3f5a7d9e1b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'crm_erasure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', crm_core.models.types.UTCDateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('session', sa.String(length=80), nullable=False),
        sa.Column('element_type', sa.String(length=60), nullable=False),
        sa.Column('element_id', sa.Integer(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['crm_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_crm_erasure_client', 'crm_erasure', ['element_type', 'element_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_crm_erasure_client', table_name='crm_erasure')
    op.drop_table('crm_erasure')
