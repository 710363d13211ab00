"""sales goals: a month's won-amount goal per user and for the team, set on Sales → Goals (EXT-07)

Revision ID: e8f3a1c5b9d7
Revises: b8e1f4c2a7d9
Create Date: 2026-11-30 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e8f3a1c5b9d7"
down_revision = "b8e1f4c2a7d9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sales_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("holder", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["crm_user.id"], name=op.f("fk_sales_goal_user_id_crm_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_goal")),
        sa.UniqueConstraint("month", "holder", name=op.f("uq_sales_goal_month")),
    )


def downgrade() -> None:
    op.drop_table("sales_goal")
