"""trigram indexes for the text filter on PostgreSQL

Revision ID: b7c1d2e3f4a5
Revises: a2454f152946
Create Date: 2026-11-23 12:15:00
"""

from crm_core.toolkit import create_trigram_indexes, drop_trigram_indexes

revision = "b7c1d2e3f4a5"
down_revision = "a2454f152946"
branch_labels = None
depends_on = None

#: The search fields of the sessions over these tables (plugins/sales/sessions.py).
SEARCH = {
    "sales_lead": ("name", "company", "contact_person", "email", "phone", "city"),
    "sales_account": ("code", "name", "tax_id", "email", "phone", "city"),
    "sales_contact": ("first_name", "last_name", "email", "phone"),
    "sales_opportunity": ("name",),
}


def upgrade() -> None:
    for table, columns in SEARCH.items():
        create_trigram_indexes(table, columns)


def downgrade() -> None:
    for table, columns in SEARCH.items():
        drop_trigram_indexes(table, columns)
