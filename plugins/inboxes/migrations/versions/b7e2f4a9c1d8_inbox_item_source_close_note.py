"""inbox item source and close note: a job closes the items it sent (issue 14, EXT-12)

``source`` names the job that sent an item in bulk (``cases.escalation``), so the job closes
its own items only (hook ``crm_inbox_close_many``); ``close_note`` says why a job closed one
("escalated to step 2"). Existing items get empty strings (sent by users, or closed by users).

Revision ID: b7e2f4a9c1d8
Revises: a9d4c2e7f1b3
Create Date: 2026-11-30 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7e2f4a9c1d8"
down_revision = "a9d4c2e7f1b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("close_note", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("source", sa.String(length=60), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.drop_column("source")
        batch_op.drop_column("close_note")
