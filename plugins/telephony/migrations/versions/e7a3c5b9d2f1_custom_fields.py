"""custom_fields: a ``custom`` JSON column on the records a client may add fields to (EXT-16)

The column holds only the client's custom fields (declared in customer.toml or on
Configuration → Fields); no plugin migration ever writes into it, so upgrades leave them alone.

Revision ID: e7a3c5b9d2f1
Revises: 02de86f166d6
Create Date: 2026-11-30 12:50:00
"""

from alembic import op

from crm_core.toolkit import add_custom_column

revision = "e7a3c5b9d2f1"
down_revision = "02de86f166d6"
branch_labels = None
depends_on = None

TABLES = ("tel_call",)


def upgrade() -> None:
    for table in TABLES:
        add_custom_column(table)


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "custom")
