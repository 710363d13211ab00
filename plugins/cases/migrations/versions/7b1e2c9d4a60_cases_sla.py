"""cases SLA: response deadline, escalation step and the escalation log (CAS-02)

Revision ID: 7b1e2c9d4a60
Revises: 7c1e5a9d3b20
Create Date: 2026-11-30 08:20:00
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = '7b1e2c9d4a60'
down_revision = '7c1e5a9d3b20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respond_by', crm_core.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('escalation_step', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_cases_case_escalation', ['type', 'escalation_step', 'created_at'], unique=False)
    op.create_table('cases_escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('escalated_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_escalation_case_id_cases_case')),
    sa.ForeignKeyConstraint(['group_id'], ['crm_group.id'], name=op.f('fk_cases_escalation_group_id_crm_group')),
    sa.ForeignKeyConstraint(['user_id'], ['crm_user.id'], name=op.f('fk_cases_escalation_user_id_crm_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_escalation')),
    sa.UniqueConstraint('case_id', 'step', name='uq_cases_escalation_case_step')
    )


def downgrade() -> None:
    op.drop_table('cases_escalation')
    with op.batch_alter_table('cases_case', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_case_escalation')
        batch_op.drop_column('escalation_step')
        batch_op.drop_column('respond_by')
