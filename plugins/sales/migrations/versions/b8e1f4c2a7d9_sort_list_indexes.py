"""list indexes for the sorts the grids offer: leads by name, accounts by code, opportunities
by name, amount and expected close date

A grid offers a sort only where a list index serves it (issue 13 target 4; docs/screens.md);
without these pairs a click on such a column header read and sorted every row of the owner or
of the table (154 ms at 1M rows), so the headers would not be offered at all. A ``(kind, status,
id)`` index per table finds a status few rows have (170 ms read through the whole table at 1M
rows for "all records" filtered by such a status).

Revision ID: b8e1f4c2a7d9
Revises: d7e2b4c6a8f0
Create Date: 2026-11-30 19:30:00
"""

from alembic import op

revision = "b8e1f4c2a7d9"
down_revision = "d7e2b4c6a8f0"
branch_labels = None
depends_on = None

#: table → (sort columns, included columns), as plugins/sales/models.py declares them.
SORTS = {
    "sales_lead": (["name"], ["status", "company", "contact_person", "email", "phone", "city"]),
    "sales_account": (["code"], ["status", "name", "tax_id", "email", "phone", "city"]),
    "sales_opportunity": (["name", "amount", "expected_close"], ["status", "name", "stage"]),
}


def _include(include: list[str], col: str) -> list[str]:
    return [c for c in include if c != col]


#: tables whose grids filter by status
STATUS = ("sales_lead", "sales_account", "sales_opportunity")


def upgrade() -> None:
    for table in STATUS:
        op.create_index(f"ix_{table}_kind_status", table, ["kind", "status", "id"])
    for table, (sorts, include) in SORTS.items():
        for col in sorts:
            extra = {"postgresql_include": _include(include, col)}
            op.create_index(f"ix_{table}_own_{col}", table, ["kind", "owner_id", col, "id"], **extra)
            op.create_index(f"ix_{table}_all_{col}", table, ["kind", col, "id"], **extra)


def downgrade() -> None:
    for table, (sorts, _include_columns) in SORTS.items():
        for col in sorts:
            op.drop_index(f"ix_{table}_all_{col}", table_name=table)
            op.drop_index(f"ix_{table}_own_{col}", table_name=table)
    for table in STATUS:
        op.drop_index(f"ix_{table}_kind_status", table_name=table)
