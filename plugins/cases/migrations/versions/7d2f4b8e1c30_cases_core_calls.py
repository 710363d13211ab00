"""cases core calls: one row per call of a Core-system action on a case (CAS-03)

Revision ID: 7d2f4b8e1c30
Revises: 7b1e2c9d4a60
Create Date: 2026-11-30 12:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types


revision = '7d2f4b8e1c30'
down_revision = '7b1e2c9d4a60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cases_core_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('money', sa.Boolean(), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.Column('answered_at', crm_core.models.types.UTCDateTime(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_core_call_case_id_cases_case')),
    sa.ForeignKeyConstraint(['user_id'], ['crm_user.id'], name=op.f('fk_cases_core_call_user_id_crm_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_core_call'))
    )
    with op.batch_alter_table('cases_core_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_core_call_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_core_call_idempotency_key'), ['idempotency_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases_core_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_core_call_idempotency_key'))
        batch_op.drop_index(batch_op.f('ix_cases_core_call_case_id'))
    op.drop_table('cases_core_call')
