"""known sessions: default permissions are granted once per session, never overwritten

Sessions some group already has a permission row for count as known, so upgrading an existing
database does not grant anything an administrator took away.

Revision ID: a9d4e6f2c8b1
Revises: 8e2128a2fc9f
Create Date: 2026-11-30 04:30:00
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = "a9d4e6f2c8b1"
down_revision = "8e2128a2fc9f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    known = op.create_table(
        "crm_known_session",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("first_seen", crm_core.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_crm_known_session")),
    )
    now = crm_core.models.types.utcnow()
    names = op.get_bind().scalars(sa.text("SELECT DISTINCT session FROM crm_permission"))
    op.bulk_insert(known, [{"name": name, "first_seen": now} for name in names])


def downgrade() -> None:
    op.drop_table("crm_known_session")
