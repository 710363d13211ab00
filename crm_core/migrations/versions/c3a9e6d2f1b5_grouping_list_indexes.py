"""list indexes of the Groupings grid, in its order (by name)

A grid offers only the sorts a list index serves (issue 13 target 4, docs/screens.md); the
Groupings grid's default order had none, so its first page sorted every grouping.

Revision ID: c3a9e6d2f1b5
Revises: f6c1a8e2b3d7
Create Date: 2026-11-30 19:40:00
"""

from alembic import op

revision = "c3a9e6d2f1b5"
down_revision = "f6c1a8e2b3d7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_crm_grouping_own_name", "crm_grouping", ["owner_id", "name", "id"])
    op.create_index("ix_crm_grouping_all_name", "crm_grouping", ["name", "id"])


def downgrade() -> None:
    op.drop_index("ix_crm_grouping_all_name", table_name="crm_grouping")
    op.drop_index("ix_crm_grouping_own_name", table_name="crm_grouping")
