"""import report lines: a job's per-line report moves from the JSON column crm_import_job.errors
to a table of its own, crm_import_line, one row per report line (issue 13 target 2, CORE-11)

A 1M-line file whose every line is bad wrote one JSON value of a million entries, which the
screen, the API and the CSV downloads then loaded whole. The existing reports are copied into
the table job by job, :data:`BATCH` rows per insert, in their stored order (already sorted by
line), and the column is dropped: one place holds a report, and the privacy erasure searches
that place only. SQLite drops the column with its own ``ALTER TABLE … DROP COLUMN`` (3.35+),
not by copying the table: a copy would drop the job table, and with foreign keys on that would
empty the new table by its ``ON DELETE CASCADE``. The old column did not say which lines were
skipped duplicates, so the copied lines' ``kind`` is NULL. The downgrade copies the lines back.

Revision ID: a6f2c9e4d8b3
Revises: e7a3c5d9b2f4
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "a6f2c9e4d8b3"
down_revision = "e7a3c5d9b2f4"
branch_labels = None
depends_on = None

#: report rows per insert (and per read, downgrading).
BATCH = 5_000

jobs = sa.table("crm_import_job", sa.column("id", sa.Integer), sa.column("errors", sa.JSON))
lines = sa.table("crm_import_line", sa.column("job_id", sa.Integer), sa.column("seq", sa.Integer),
                 sa.column("line", sa.Integer), sa.column("field", sa.Text), sa.column("reason", sa.Text),
                 sa.column("kind", sa.String))


def upgrade() -> None:
    op.create_table(
        "crm_import_line",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["crm_import_job.id"],
                                name=op.f("fk_crm_import_line_job_id_crm_import_job"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id", "seq", name=op.f("pk_crm_import_line")),
    )
    conn = op.get_bind()
    for job_id in list(conn.scalars(sa.select(jobs.c.id).where(jobs.c.errors.is_not(None)).order_by(jobs.c.id))):
        report = conn.scalar(sa.select(jobs.c.errors).where(jobs.c.id == job_id)) or []
        _insert(conn, job_id, report)
    op.drop_column("crm_import_job", "errors")


def _insert(conn: Any, job_id: int, report: list[list[Any]]) -> None:
    """The old report's ``[line, field, reason]`` entries as rows, ``kind`` unknown (NULL): the
    column did not say which lines were skipped duplicates."""
    rows: Iterator[dict[str, Any]] = (
        {"job_id": job_id, "seq": seq, "line": line, "field": name or "", "reason": reason or "", "kind": None}
        for seq, (line, name, reason) in enumerate(report)
    )
    while batch := list(islice(rows, BATCH)):
        conn.execute(lines.insert(), batch)


def downgrade() -> None:
    op.add_column("crm_import_job", sa.Column("errors", sa.JSON(), nullable=True))
    conn = op.get_bind()
    for job_id in list(conn.scalars(sa.select(lines.c.job_id).distinct().order_by(lines.c.job_id))):
        report = [[line, name, reason] for line, name, reason in _read(conn, job_id)]
        conn.execute(jobs.update().where(jobs.c.id == job_id).values(errors=report))
    op.drop_table("crm_import_line")


def _read(conn: Any, job_id: int) -> Iterable[tuple[int, str, str]]:
    after = -1
    while rows := conn.execute(
        sa.select(lines.c.seq, lines.c.line, lines.c.field, lines.c.reason)
        .where(lines.c.job_id == job_id, lines.c.seq > after).order_by(lines.c.seq).limit(BATCH)
    ).all():
        yield from ((line, name, reason) for _seq, line, name, reason in rows)
        after = rows[-1][0]
