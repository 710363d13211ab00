"""smart lists: a grouping may hold saved criteria instead of chosen members (issue 18 item 7)

Revision ID: f6c1a8e2b3d7
Revises: b7d2e9f4a6c8
Create Date: 2026-11-30 15:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f6c1a8e2b3d7"
down_revision = "b7d2e9f4a6c8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crm_grouping") as batch:
        batch.add_column(sa.Column("criteria", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crm_grouping") as batch:
        batch.drop_column("criteria")
