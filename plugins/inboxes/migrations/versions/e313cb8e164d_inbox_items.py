"""inbox items

Revision ID: e313cb8e164d
Revises: 
Create Date: 2026-11-30 06:51:02.001201
"""

from alembic import op
import sqlalchemy as sa
import crm_core.models.types


revision = 'e313cb8e164d'
down_revision = None
branch_labels = ('inboxes',)
depends_on = 'c3f5a7d9e1b2'


def upgrade() -> None:
    op.create_table('inbox_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session', sa.String(length=80), nullable=False),
    sa.Column('element_type', sa.String(length=60), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('requested_action', sa.String(length=40), nullable=False),
    sa.Column('action_text', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('received_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.Column('taken_at', crm_core.models.types.UTCDateTime(), nullable=True),
    sa.Column('closed_at', crm_core.models.types.UTCDateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('user_id IS NOT NULL OR group_id IS NOT NULL', name=op.f('ck_inbox_item_recipient')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['crm_user.id'], name=op.f('fk_inbox_item_closed_by_id_crm_user')),
    sa.ForeignKeyConstraint(['group_id'], ['crm_group.id'], name=op.f('fk_inbox_item_group_id_crm_group')),
    sa.ForeignKeyConstraint(['sender_id'], ['crm_user.id'], name=op.f('fk_inbox_item_sender_id_crm_user')),
    sa.ForeignKeyConstraint(['user_id'], ['crm_user.id'], name=op.f('fk_inbox_item_user_id_crm_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_item'))
    )
    with op.batch_alter_table('inbox_item', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_item_element', ['element_type', 'element_id'], unique=False)
        batch_op.create_index('ix_inbox_item_group', ['group_id', 'state', 'received_at'], unique=False)
        batch_op.create_index('ix_inbox_item_user', ['user_id', 'state', 'received_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('inbox_item', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_item_user')
        batch_op.drop_index('ix_inbox_item_group')
        batch_op.drop_index('ix_inbox_item_element')

    op.drop_table('inbox_item')
