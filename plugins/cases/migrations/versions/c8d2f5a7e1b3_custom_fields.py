"""custom_fields: a ``custom`` JSON column on the records a client may add fields to (EXT-16)

The column holds only the client's custom fields (declared in customer.toml or on
Configuration → Fields); no plugin migration ever writes into it, so upgrades leave them alone.

Revision ID: c8d2f5a7e1b3
Revises: 8d2f4b6a1c39
Create Date: 2026-11-30 12:30:00
"""

from alembic import op

from crm_core.toolkit import add_custom_column

revision = "c8d2f5a7e1b3"
down_revision = "8d2f4b6a1c39"
branch_labels = None
depends_on = None

TABLES = ("cases_case",)


def upgrade() -> None:
    for table in TABLES:
        add_custom_column(table)


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "custom")
