"""list indexes: the grid's default order with the id, and a trigram index for the text filter

Revision ID: d5f9a3b4c2e7
Revises: 62e18b2f87b4
Create Date: 2026-11-23 16:05:00
"""

from alembic import op

from crm_core.toolkit import create_search_index, drop_search_index

revision = "d5f9a3b4c2e7"
down_revision = "62e18b2f87b4"
branch_labels = None
depends_on = None

#: The activities session's search fields, in order (plugins/activities/models.py).
SEARCH = ("subject", "description", "location", "type")


def upgrade() -> None:
    op.create_index(
        "ix_act_activity_own_starts_at", "act_activity", ["owner_id", "starts_at", "id"], postgresql_include=["status"]
    )
    op.create_index("ix_act_activity_all_starts_at", "act_activity", ["starts_at", "id"], postgresql_include=["status"])
    op.drop_index("ix_act_activity_owner_starts", table_name="act_activity")
    create_search_index("act_activity", SEARCH)


def downgrade() -> None:
    drop_search_index("act_activity")
    op.create_index("ix_act_activity_owner_starts", "act_activity", ["owner_id", "starts_at"])
    op.drop_index("ix_act_activity_all_starts_at", table_name="act_activity")
    op.drop_index("ix_act_activity_own_starts_at", table_name="act_activity")
