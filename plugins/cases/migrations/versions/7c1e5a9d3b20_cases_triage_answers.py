"""cases triage answers: one row per answered question of a defect's triage script (EXT-14)

Revision ID: 7c1e5a9d3b20
Revises: 7a1c2e9d5b40
Create Date: 2026-11-30 08:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types


revision = '7c1e5a9d3b20'
down_revision = '7a1c2e9d5b40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cases_triage_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=120), nullable=False),
    sa.Column('question_key', sa.String(length=60), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.String(length=200), nullable=False),
    sa.Column('next_key', sa.String(length=60), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_triage_answer_case_id_cases_case')),
    sa.ForeignKeyConstraint(['user_id'], ['crm_user.id'], name=op.f('fk_cases_triage_answer_user_id_crm_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_triage_answer')),
    sa.UniqueConstraint('case_id', 'step', name=op.f('uq_cases_triage_answer_case_id'))
    )
    with op.batch_alter_table('cases_triage_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_triage_answer_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases_triage_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_triage_answer_case_id'))
    op.drop_table('cases_triage_answer')
