"""activity table

Revision ID: 62e18b2f87b4
Revises: 
Create Date: 2026-11-23 11:37:37.944972
"""

from alembic import op
import sqlalchemy as sa
import crm_core.models.types


revision = '62e18b2f87b4'
down_revision = None
branch_labels = ('activities',)
depends_on = '17d067894900'


def upgrade() -> None:
    op.create_table('act_activity',
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('done_at', crm_core.models.types.UTCDateTime(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('session', sa.String(length=80), nullable=True),
    sa.Column('element_id', sa.Integer(), nullable=True),
    sa.Column('element_type', sa.String(length=60), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', crm_core.models.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['creator_id'], ['crm_user.id'], name=op.f('fk_act_activity_creator_id_crm_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['crm_user.id'], name=op.f('fk_act_activity_owner_id_crm_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_act_activity')),
    sa.UniqueConstraint('uid', name=op.f('uq_act_activity_uid'))
    )
    with op.batch_alter_table('act_activity', schema=None) as batch_op:
        batch_op.create_index('ix_act_activity_element', ['element_type', 'element_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_act_activity_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_act_activity_owner_starts', ['owner_id', 'starts_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('act_activity', schema=None) as batch_op:
        batch_op.drop_index('ix_act_activity_owner_starts')
        batch_op.drop_index(batch_op.f('ix_act_activity_owner_id'))
        batch_op.drop_index('ix_act_activity_element')

    op.drop_table('act_activity')
