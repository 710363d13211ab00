"""bulk jobs: a bulk action on a large selection runs in the background with progress (issue 17)

Revision ID: b2e8d4f6a1c3
Revises: a3c9e7b1d5f2
Create Date: 2026-11-30 22:50:00
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = "b2e8d4f6a1c3"
down_revision = "a3c9e7b1d5f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_bulk_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.Column("ids", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("refusals", sa.JSON(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", crm_core.models.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", crm_core.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["crm_user.id"], name=op.f("fk_crm_bulk_job_user_id_crm_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_bulk_job")),
    )
    op.create_index("ix_crm_bulk_job_user", "crm_bulk_job", ["user_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_crm_bulk_job_user", table_name="crm_bulk_job")
    op.drop_table("crm_bulk_job")
