"""field settings and vocabularies: fields stored by administrators (EXT-16), vocabularies (EXT-15)

Revision ID: d4a8c2e6f1b9
Revises: d8e4b1c7a2f6
Create Date: 2026-11-30 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d4a8c2e6f1b9"
down_revision = "d8e4b1c7a2f6"
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
    op.create_table(
        "crm_vocabulary_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vocabulary", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("parent_code", sa.String(length=60), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_vocabulary_value")),
        sa.UniqueConstraint("vocabulary", "code", name=op.f("uq_crm_vocabulary_value_vocabulary")),
    )
    op.create_index(op.f("ix_crm_vocabulary_value_vocabulary"), "crm_vocabulary_value", ["vocabulary"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_crm_vocabulary_value_vocabulary"), table_name="crm_vocabulary_value")
    op.drop_table("crm_vocabulary_value")
    op.drop_table("crm_field_setting")
