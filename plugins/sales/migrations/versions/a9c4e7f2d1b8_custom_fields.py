"""custom_fields: a ``custom`` JSON column on the records a client may add fields to (EXT-16)

The column holds only the client's custom fields (declared in customer.toml or on
Configuration → Fields); no plugin migration ever writes into it, so upgrades leave them alone.

Revision ID: a9c4e7f2d1b8
Revises: b2d4f6a8c0e1
Create Date: 2026-11-30 12:30:00
"""

from alembic import op

from crm_core.toolkit import add_custom_column

revision = "a9c4e7f2d1b8"
down_revision = "b2d4f6a8c0e1"
branch_labels = None
depends_on = None

TABLES = ("sales_lead", "sales_account", "sales_contact", "sales_opportunity", "sales_campaign")


def upgrade() -> None:
    for table in TABLES:
        add_custom_column(table)


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "custom")
