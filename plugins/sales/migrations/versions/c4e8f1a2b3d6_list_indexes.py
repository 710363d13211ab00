"""list indexes: covering btrees in each grid's default order, one trigram index per table

The first indexes could not give a page in the grid's order without reading and sorting every
row of an owner (``(owner_id, status)``), and the text filter needed one trigram index per
field. See docs/performance.md ("Index strategy").

Revision ID: c4e8f1a2b3d6
Revises: b7c1d2e3f4a5
Create Date: 2026-11-23 16:00:00
"""

from alembic import op

from crm_core.toolkit import create_search_index, create_trigram_indexes, drop_search_index, drop_trigram_indexes

revision = "c4e8f1a2b3d6"
down_revision = "b7c1d2e3f4a5"
branch_labels = None
depends_on = None

#: The search fields of the sessions over these tables, in order (plugins/sales/models.py).
SEARCH = {
    "sales_lead": ("name", "company", "contact_person", "email", "phone", "city"),
    "sales_account": ("code", "name", "tax_id", "email", "phone", "city"),
    "sales_contact": ("first_name", "last_name", "email", "phone", "position"),
    "sales_opportunity": ("name", "stage"),
    "sales_campaign": ("code", "name", "description"),
}
#: Per-field trigram indexes of revision b7c1d2e3f4a5.
OLD_TRIGRAMS = {
    "sales_lead": ("name", "company", "contact_person", "email", "phone", "city"),
    "sales_account": ("code", "name", "tax_id", "email", "phone", "city"),
    "sales_contact": ("first_name", "last_name", "email", "phone"),
    "sales_opportunity": ("name",),
}
#: table → (default sort keys, lead keys, included columns)
LISTS = {
    "sales_lead": (["id"], ["kind"], ["status", *SEARCH["sales_lead"]]),
    "sales_account": (["name", "id"], ["kind"], ["status", "code", "tax_id", "email", "phone", "city"]),
    "sales_contact": (["last_name", "id"], ["kind"], ["first_name", "email", "phone", "position"]),
    "sales_opportunity": (["id"], ["kind"], ["status", "name", "stage"]),
    "sales_campaign": (["start", "id"], [], ["status", "code", "name"]),
}
#: index → (table, columns) of revision a2454f152946 that the list indexes replace.
REPLACED = {
    "ix_sales_lead_owner_status": ("sales_lead", ["owner_id", "status"]),
    "ix_sales_lead_name": ("sales_lead", ["name"]),
    "ix_sales_account_owner_status": ("sales_account", ["owner_id", "status"]),
    "ix_sales_account_name": ("sales_account", ["name"]),
    "ix_sales_contact_owner_account": ("sales_contact", ["owner_id", "account_id"]),
    "ix_sales_contact_last_name": ("sales_contact", ["last_name"]),
    "ix_sales_opportunity_owner_status": ("sales_opportunity", ["owner_id", "status"]),
    "ix_sales_opportunity_name": ("sales_opportunity", ["name"]),
    "ix_sales_campaign_owner_status": ("sales_campaign", ["owner_id", "status"]),
}


def upgrade() -> None:
    for table, (keys, lead, include) in LISTS.items():
        col = keys[0]
        op.create_index(f"ix_{table}_own_{col}", table, [*lead, "owner_id", *keys], postgresql_include=include)
        op.create_index(f"ix_{table}_all_{col}", table, [*lead, *keys], postgresql_include=include)
    for name, (table, _columns) in REPLACED.items():
        op.drop_index(name, table_name=table)
    for table, columns in OLD_TRIGRAMS.items():
        drop_trigram_indexes(table, columns)
    for table, columns in SEARCH.items():
        create_search_index(table, columns)


def downgrade() -> None:
    for table in SEARCH:
        drop_search_index(table)
    for table, columns in OLD_TRIGRAMS.items():
        create_trigram_indexes(table, columns)
    for name, (table, columns) in REPLACED.items():
        op.create_index(name, table, columns)
    for table, (keys, _lead, _include) in LISTS.items():
        op.drop_index(f"ix_{table}_all_{keys[0]}", table_name=table)
        op.drop_index(f"ix_{table}_own_{keys[0]}", table_name=table)
