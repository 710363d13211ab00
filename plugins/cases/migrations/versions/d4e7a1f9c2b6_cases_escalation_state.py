"""cases escalation state: the ladder step and the inbox of a case in a narrow table of its own
(CAS-02 at scale, issue 14)

Escalating rewrote the wide case row in every index of the table; the step and the inbox it
went to now live in ``cases_escalation_state`` (one row per escalated case). Existing state is
carried over: each case's ``escalation_step`` with the group or user of that step's
``cases_escalation`` row. The escalation index becomes partial on the working cases and keyed
for the job's keyset walk (type, created_at, id).

Revision ID: d4e7a1f9c2b6
Revises: c8d2f5a7e1b3
Create Date: 2026-11-30 15:40:00
"""

import sqlalchemy as sa
from alembic import op

import crm_core.models.types

revision = "d4e7a1f9c2b6"
down_revision = "c8d2f5a7e1b3"
branch_labels = None
depends_on = None

#: Frozen copy of plugins/cases/models.py WORKING_SQL at this revision.
WORKING_SQL = "status IN ('gathering', 'open')"


def upgrade() -> None:
    op.create_table(
        "cases_escalation_state",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("escalated_at", crm_core.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases_case.id"],
                                name=op.f("fk_cases_escalation_state_case_id_cases_case")),
        sa.ForeignKeyConstraint(["group_id"], ["crm_group.id"],
                                name=op.f("fk_cases_escalation_state_group_id_crm_group")),
        sa.ForeignKeyConstraint(["user_id"], ["crm_user.id"],
                                name=op.f("fk_cases_escalation_state_user_id_crm_user")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases_escalation_state")),
    )
    op.execute(
        "INSERT INTO cases_escalation_state (case_id, step, group_id, user_id, escalated_at) "
        "SELECT c.id, c.escalation_step, e.group_id, e.user_id, COALESCE(e.escalated_at, c.updated_at) "
        "FROM cases_case c LEFT JOIN cases_escalation e ON e.case_id = c.id AND e.step = c.escalation_step "
        "WHERE c.escalation_step > 0"
    )
    op.drop_index("ix_cases_case_escalation", table_name="cases_case")
    # A plain column with a default and no index: both databases drop it in place (SQLite
    # 3.35+), no table copy that could lose the partial indexes.
    op.execute("ALTER TABLE cases_case DROP COLUMN escalation_step")
    op.create_index("ix_cases_case_escalation_due", "cases_case", ["type", "created_at", "id"], unique=False,
                    postgresql_where=sa.text(WORKING_SQL), sqlite_where=sa.text(WORKING_SQL))


def downgrade() -> None:
    op.drop_index("ix_cases_case_escalation_due", table_name="cases_case")
    op.add_column("cases_case", sa.Column("escalation_step", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE cases_case SET escalation_step = (SELECT s.step FROM cases_escalation_state s "
        "WHERE s.case_id = cases_case.id) WHERE id IN (SELECT case_id FROM cases_escalation_state)"
    )
    op.create_index("ix_cases_case_escalation", "cases_case", ["type", "escalation_step", "created_at"],
                    unique=False)
    op.drop_table("cases_escalation_state")
