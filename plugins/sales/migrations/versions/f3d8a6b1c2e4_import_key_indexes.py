"""indexes on the folded import keys, for the import's duplicate check on PostgreSQL

The import looks the file's keys up with ``lower(btrim(coalesce(key, '')))`` joined to a
temporary table (crm_core/importing/keys.py); without these indexes PostgreSQL scans the whole
table once per import (a 20-row import of leads as an administrator: 1.3 s at 200,000 rows).

Revision ID: f3d8a6b1c2e4
Revises: f1a7c3e9b2d4
Create Date: 2026-11-30 07:40:00
"""

from crm_core.toolkit import create_import_key_indexes, drop_import_key_indexes

revision = "f3d8a6b1c2e4"
down_revision = "f1a7c3e9b2d4"
branch_labels = None
depends_on = None

#: The ``import_keys`` of the sessions over these tables (plugins/sales/sessions.py).
KEYS = {"sales_lead": ("email",), "sales_contact": ("email",), "sales_account": ("code",)}


def upgrade() -> None:
    for table, columns in KEYS.items():
        create_import_key_indexes(table, columns)


def downgrade() -> None:
    for table, columns in KEYS.items():
        drop_import_key_indexes(table, columns)
