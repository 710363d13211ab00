"""central audit: the operation of each audit row and the changed object's table

Revision ID: c3f5a7d9e1b2
Revises: b7c41d2e9a05
Create Date: 2026-12-02 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'c3f5a7d9e1b2'
down_revision = 'b7c41d2e9a05'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: rows written before the central audit keep reading as they did.
    op.add_column('crm_audit', sa.Column('operation', sa.String(length=10), nullable=True))
    op.add_column('crm_audit', sa.Column('object_type', sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('crm_audit') as batch_op:
        batch_op.drop_column('object_type')
        batch_op.drop_column('operation')
