"""field access: per group, hidden or read-only fields set on Configuration → Fields (EXT-16)

Revision ID: b7d2e9f4a6c8
Revises: e5b9d3f7a1c4
Create Date: 2026-11-30 15:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d2e9f4a6c8"
down_revision = "e5b9d3f7a1c4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_field_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("session_name", sa.String(length=80), nullable=False),
        sa.Column("field_name", sa.String(length=80), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["crm_group.id"], name=op.f("fk_crm_field_access_group_id_crm_group"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_field_access")),
        sa.UniqueConstraint("group_id", "session_name", "field_name", name=op.f("uq_crm_field_access_group_id")),
    )


def downgrade() -> None:
    op.drop_table("crm_field_access")
