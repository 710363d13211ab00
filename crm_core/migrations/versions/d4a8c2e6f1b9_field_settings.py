"""field settings: custom fields and built-in field settings stored by administrators (EXT-16)

Revision ID: d4a8c2e6f1b9
Revises: c3f5a7d9e1b2
Create Date: 2026-11-30 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d4a8c2e6f1b9"
down_revision = "c3f5a7d9e1b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_field_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_name", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_field_setting")),
        sa.UniqueConstraint("session_name", "name", name=op.f("uq_crm_field_setting_session_name")),
    )


def downgrade() -> None:
    op.drop_table("crm_field_setting")
