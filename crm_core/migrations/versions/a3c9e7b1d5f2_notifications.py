"""notifications: what a user is told in the application, behind the bell (issue 17 item 11)

Revision ID: a3c9e7b1d5f2
Revises: c3a9e6d2f1b5
Create Date: 2026-11-30 19:30:00
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = "a3c9e7b1d5f2"
down_revision = "c3a9e6d2f1b5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("session_name", sa.String(length=80), nullable=True),
        sa.Column("element_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", crm_core.models.types.UTCDateTime(), nullable=False),
        sa.Column("read_at", crm_core.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["crm_user.id"], name=op.f("fk_crm_notification_actor_id_crm_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["crm_user.id"], name=op.f("fk_crm_notification_user_id_crm_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_notification")),
    )
    op.create_index("ix_crm_notification_user_unread", "crm_notification", ["user_id", "read_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_crm_notification_user_unread", table_name="crm_notification")
    op.drop_table("crm_notification")
