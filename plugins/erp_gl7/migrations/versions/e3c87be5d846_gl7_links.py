"""GL7 codes of CRM elements (ERP-01).

Revision ID: e3c87be5d846
Revises:
Create Date: 2026-11-23 11:38:40.930737
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = 'e3c87be5d846'
down_revision = None
branch_labels = ('erp_gl7',)
depends_on = '17d067894900'


def upgrade() -> None:
    op.create_table('erp_gl7_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crm_uid', sa.String(length=36), nullable=False),
    sa.Column('element_type', sa.String(length=60), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('gl7_code', sa.String(length=40), nullable=False),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('sync', sa.String(length=8), nullable=False),
    sa.Column('updated_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erp_gl7_link')),
    sa.UniqueConstraint('crm_uid', name=op.f('uq_erp_gl7_link_crm_uid'))
    )


def downgrade() -> None:
    op.drop_table('erp_gl7_link')
