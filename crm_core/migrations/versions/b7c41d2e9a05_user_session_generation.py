"""user session generation: server-side revocation of session cookies

Revision ID: b7c41d2e9a05
Revises: a9d4e6f2c8b1
Create Date: 2026-11-30 04:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7c41d2e9a05'
down_revision = 'a9d4e6f2c8b1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('crm_user', sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('crm_user') as batch_op:
        batch_op.drop_column('session_generation')
