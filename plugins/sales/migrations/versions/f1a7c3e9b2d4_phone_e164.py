"""phone_e164: the E.164 form of every lead's, account's and contact's phone, indexed

A caller is found by comparing E.164 with E.164 on an index (TEL-01) instead of stripping the
separators of every stored phone. Existing rows are filled in here, reading national numbers in
the client's region (``[settings.core] phone_region``) when the upgrade runs in the app.

Revision ID: f1a7c3e9b2d4
Revises: e5b2a9c7d1f3
Create Date: 2026-11-30 07:00:00
"""

import sqlalchemy as sa
from alembic import op

from crm_core.toolkit import e164

revision = "f1a7c3e9b2d4"
down_revision = "e5b2a9c7d1f3"
branch_labels = None
depends_on = None

TABLES = ("sales_lead", "sales_account", "sales_contact")
BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        op.add_column(table, sa.Column("phone_e164", sa.String(length=16), nullable=False, server_default=""))
        op.create_index(op.f(f"ix_{table}_phone_e164"), table, ["phone_e164"], unique=False)
        rows = bind.execute(sa.text(f"SELECT id, phone FROM {table} WHERE phone <> ''")).all()  # noqa: S608
        values = [{"id": pk, "e164": e164(phone)} for pk, phone in rows]
        values = [v for v in values if v["e164"]]
        update = sa.text(f"UPDATE {table} SET phone_e164 = :e164 WHERE id = :id")  # noqa: S608
        for start in range(0, len(values), BATCH):
            bind.execute(update, values[start : start + BATCH])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(op.f(f"ix_{table}_phone_e164"), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("phone_e164")
