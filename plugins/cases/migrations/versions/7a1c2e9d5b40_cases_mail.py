"""cases mail: the e-mails of a case's thread; a case from an unknown sender has no account yet

Email-to-case (issue 14): ``cases_mail`` keeps each received and sent message (unique
Message-ID: receiving is idempotent; replies thread on it), and ``cases_case.account_id``
becomes nullable for the "to triage" state (the workflow refuses to open such a case).

Revision ID: 7a1c2e9d5b40
Revises: 4394a59b44bb
Create Date: 2026-11-30 08:30:00
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = '7a1c2e9d5b40'
down_revision = '4394a59b44bb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cases_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('sender', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_mail_case_id_cases_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_mail')),
    sa.UniqueConstraint('message_id', name=op.f('uq_cases_mail_message_id'))
    )
    with op.batch_alter_table('cases_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_mail_case_id'), ['case_id'], unique=False)
    with op.batch_alter_table('cases_case', schema=None) as batch_op:
        batch_op.alter_column('account_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('cases_case', schema=None) as batch_op:
        batch_op.alter_column('account_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('cases_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_mail_case_id'))
    op.drop_table('cases_mail')
