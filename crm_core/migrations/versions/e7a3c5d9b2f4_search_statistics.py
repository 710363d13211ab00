"""search statistics: every existing search index's expression keeps 1,000 statistics entries,
so the text filter's plan does not depend on one ANALYZE sample (issue 13 target 5)

:func:`crm_core.migrate_ops.create_search_index` sets it on indexes made from now on; this gives
it to the indexes that plugins' migrations created before (the sales tables, activities, cases,
…) and analyzes their tables so the planner uses it at once. PostgreSQL only; SQLite has no
search index. See docs/performance.md ("Plans that do not depend on the sample").

Revision ID: e7a3c5d9b2f4
Revises: d4a7c2e9b5f1
Create Date: 2026-12-01 02:30:00
"""

from crm_core.migrate_ops import set_search_statistics

revision = "e7a3c5d9b2f4"
down_revision = "d4a7c2e9b5f1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    set_search_statistics()


def downgrade() -> None:
    set_search_statistics(-1)
