"""indexes on the folded import keys on SQLite too, for the import's duplicate check

The import looks the file's keys up by their folded value (``crm_fold(key)`` on SQLite, the
Unicode fold every connection registers; crm_core/importing/keys.py). Without these indexes
SQLite scanned the whole table for every batch of keys: reloading 5,000 leads took 27 s. The
PostgreSQL indexes are made by f3d8a6b1c2e4 and a9c3e5f7b1d2, which now make the SQLite ones
as well on a new database; this revision adds them to databases migrated before (idempotent).

Revision ID: d7e2b4c6a8f0
Revises: a9c4e7f2d1b8
Create Date: 2026-11-30 15:40:00
"""

from alembic import op

from crm_core.toolkit import create_import_key_indexes, drop_import_key_indexes

revision = "d7e2b4c6a8f0"
down_revision = "a9c4e7f2d1b8"
branch_labels = None
depends_on = None

#: The ``import_keys`` of the sessions over these tables (plugins/sales/sessions.py).
KEYS = {"sales_lead": ("email",), "sales_contact": ("email",), "sales_account": ("code",),
        "sales_opportunity": ("external_ref",)}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL has them since f3d8a6b1c2e4 / a9c3e5f7b1d2
    for table, columns in KEYS.items():
        create_import_key_indexes(table, columns)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in KEYS.items():
        drop_import_key_indexes(table, columns)
