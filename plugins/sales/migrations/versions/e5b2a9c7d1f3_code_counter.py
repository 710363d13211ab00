"""code counter: provisional account codes from a counter row instead of max(code) + 1

``max(code)`` over the stored codes could be pushed to the end of the range by one account
saved with a code like OP999999, after which every qualification failed. The counter starts
after the highest well-formed provisional code already stored.

Revision ID: e5b2a9c7d1f3
Revises: c4e8f1a2b3d6
Create Date: 2026-11-30 04:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e5b2a9c7d1f3"
down_revision = "c4e8f1a2b3d6"
branch_labels = None
depends_on = None

PREFIX = "OP"
SERIES = "provisional_account"


def upgrade() -> None:
    counter = op.create_table(
        "sales_code_counter",
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_sales_code_counter")),
    )
    codes = op.get_bind().scalars(sa.text("SELECT code FROM sales_account WHERE code LIKE 'OP%'"))
    numbers = [int(code[len(PREFIX) :]) for code in codes if code[len(PREFIX) :].isdigit()]
    op.bulk_insert(counter, [{"series": SERIES, "value": max(numbers, default=0)}])


def downgrade() -> None:
    op.drop_table("sales_code_counter")
