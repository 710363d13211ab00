"""account marketing consent: whether a client agreed to receive marketing (seed 000's feed)

Revision ID: b2d4f6a8c0e1
Revises: a9c3e5f7b1d2
Create Date: 2026-11-30 12:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b2d4f6a8c0e1"
down_revision = "a9c3e5f7b1d2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sales_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marketing_consent", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("sales_account", schema=None) as batch_op:
        batch_op.drop_column("marketing_consent")
