"""cases working indexes: the working cases by due time, per owner and for all (home panels,
overdue filter; issue 14 scale)

Revision ID: 8d2f4b6a1c39
Revises: 7d2f4b8e1c30
Create Date: 2026-11-30 12:30:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '8d2f4b6a1c39'
down_revision = '7d2f4b8e1c30'
branch_labels = None
depends_on = None

#: Frozen copy of plugins/cases/models.py WORKING_SQL at this revision.
WORKING_SQL = "status IN ('gathering', 'open')"


def upgrade() -> None:
    op.create_index("ix_cases_case_working_own", "cases_case", ["owner_id", "due_at", "id"], unique=False,
                    postgresql_include=["assignee_id"], postgresql_where=sa.text(WORKING_SQL),
                    sqlite_where=sa.text(WORKING_SQL))
    op.create_index("ix_cases_case_working_all", "cases_case", ["due_at", "id"], unique=False,
                    postgresql_include=["owner_id", "assignee_id"], postgresql_where=sa.text(WORKING_SQL),
                    sqlite_where=sa.text(WORKING_SQL))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE cases_case")


def downgrade() -> None:
    op.drop_index("ix_cases_case_working_all", table_name="cases_case")
    op.drop_index("ix_cases_case_working_own", table_name="cases_case")
