"""inbox box indexes: one ordered partial index per box and sort key (issue 14 scale)

Revision ID: a9d4c2e7f1b3
Revises: e313cb8e164d
Create Date: 2026-11-30 12:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'a9d4c2e7f1b3'
down_revision = 'e313cb8e164d'
branch_labels = None
depends_on = None

#: Frozen copy of plugins/inboxes/models.py at this revision (a migration never imports models).
OPEN_SQL = "state = 'open'"
UNTAKEN_SQL = "state = 'open' AND user_id IS NULL"
SORT_COLUMNS = {"received": "received_at", "type": "session", "action": "requested_action", "sender": "sender_id"}


def _indexes():
    for key, column in SORT_COLUMNS.items():
        yield f"ix_inbox_item_mine_{key}", ["user_id", column, "id"], OPEN_SQL
        yield f"ix_inbox_item_group_{key}", ["group_id", column, "id"], UNTAKEN_SQL


def upgrade() -> None:
    for name, columns, where in _indexes():
        op.create_index(name, "inbox_item", columns, unique=False,
                        postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE inbox_item")


def downgrade() -> None:
    for name, _columns, _where in _indexes():
        op.drop_index(name, table_name="inbox_item")
