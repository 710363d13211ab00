"""opportunity external reference: the import key of campaign loads (SAL-09)

A campaign's opportunities loaded from a file carry the file row's reference; the import's
duplicate rule on it makes loading the same file twice create nothing twice. On PostgreSQL the
folded key is indexed like the other import keys (f3d8a6b1c2e4).

Revision ID: a9c3e5f7b1d2
Revises: f3d8a6b1c2e4
Create Date: 2026-11-30 12:30:00
"""

import sqlalchemy as sa
from alembic import op

from crm_core.toolkit import create_import_key_indexes, drop_import_key_indexes

revision = "a9c3e5f7b1d2"
down_revision = "f3d8a6b1c2e4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sales_opportunity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_ref", sa.String(length=80), nullable=True))
    create_import_key_indexes("sales_opportunity", ("external_ref",))


def downgrade() -> None:
    drop_import_key_indexes("sales_opportunity", ("external_ref",))
    with op.batch_alter_table("sales_opportunity", schema=None) as batch_op:
        batch_op.drop_column("external_ref")
