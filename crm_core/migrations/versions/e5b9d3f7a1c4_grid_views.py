"""grid views: saved column choice, filters, sort and page size per user and session (issue 17 item 4)

Revision ID: e5b9d3f7a1c4
Revises: d4a8c2e6f1b9
Create Date: 2026-11-30 15:30:00
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = "e5b9d3f7a1c4"
down_revision = "d4a8c2e6f1b9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_grid_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_name", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("shared", sa.String(length=10), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("created_at", crm_core.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["crm_group.id"], name=op.f("fk_crm_grid_view_group_id_crm_group"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["crm_user.id"], name=op.f("fk_crm_grid_view_user_id_crm_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_grid_view")),
        sa.UniqueConstraint("user_id", "session_name", "name", name=op.f("uq_crm_grid_view_user_id")),
    )
    op.create_index(op.f("ix_crm_grid_view_user_id"), "crm_grid_view", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_crm_grid_view_user_id"), table_name="crm_grid_view")
    op.drop_table("crm_grid_view")
