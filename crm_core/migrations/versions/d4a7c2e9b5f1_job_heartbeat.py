"""job heartbeat: import and bulk jobs record when they last made progress, so a job whose
process stopped is marked interrupted instead of running forever (issue 17, CORE-11)

Revision ID: d4a7c2e9b5f1
Revises: b2e8d4f6a1c3
Create Date: 2026-11-30 23:55:00
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = "d4a7c2e9b5f1"
down_revision = "b2e8d4f6a1c3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("crm_import_job", "crm_bulk_job"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("beat_at", crm_core.models.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    for table in ("crm_import_job", "crm_bulk_job"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("beat_at")
