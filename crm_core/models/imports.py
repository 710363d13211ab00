"""Import jobs and saved column mappings (CORE-11).

A job row carries the uploaded file between the upload, mapping and run steps (so any web
worker can serve each step) and the live counters that the progress page polls while a
background thread imports. Its per-line report (line, field, reason) of refused lines and
skipped duplicates is a table of its own, :class:`ImportLine`, one row per report line, so no
value grows with the number of bad lines (issue 13 target 2).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from crm_core.db import Base
from crm_core.models.jobs import JobRecord
from crm_core.models.types import UTCDateTime, utcnow

JOB_STATES = ("draft", "queued", "running", "done", "failed")
MODES = ("all", "valid")
ON_DUPLICATE = ("skip", "update")
#: :attr:`ImportLine.kind` of a refused line and of a skipped duplicate.
ERROR, SKIP = "error", "skip"


class ImportMapping(Base):
    """A named column → field mapping of one session, reusable for the next file."""

    __tablename__ = "crm_import_mapping"
    __table_args__ = (UniqueConstraint("session", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_name: Mapped[str] = mapped_column("session", String(80))
    name: Mapped[str] = mapped_column(String(80))
    #: One entry per file column: a schema field name, or "" for "ignore this column".
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    separator: Mapped[str] = mapped_column(String(4), default=";")
    encoding: Mapped[str] = mapped_column(String(20), default="utf-8")
    header: Mapped[bool] = mapped_column(Boolean, default=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportJob(JobRecord, Base):
    """One uploaded file and the outcome of importing it; visible to its user only."""

    __tablename__ = "crm_import_job"
    __table_args__ = (Index("ix_crm_import_job_user_session", "user_id", "session"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_name: Mapped[str] = mapped_column("session", String(80))
    user_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    encoding: Mapped[str] = mapped_column(String(20), default="utf-8")
    separator: Mapped[str] = mapped_column(String(4), default=";")
    header: Mapped[bool] = mapped_column(Boolean, default=True)
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    mode: Mapped[str] = mapped_column(String(10), default="all")
    on_duplicate: Mapped[str] = mapped_column(String(10), default="skip")
    state: Mapped[str] = mapped_column(String(10), default="draft")
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    #: ``[[first_line, last_line], ...]`` of the rows actually written (created or updated).
    written: Mapped[list[Any]] = deferred(mapped_column(JSON, default=list))

    def progress(self) -> dict[str, Any]:
        """The counters the progress endpoint returns as JSON."""
        keys = ("state", "total", "processed", "created", "updated", "skipped", "failed", "message")
        return {k: getattr(self, k) for k in keys} | {"finished": self.finished}


class ImportLine(Base):
    """One line of a finished job's report: a refused line (one row per field at fault) or a
    skipped duplicate. ``seq`` is the line's place in the report, sorted by file line, then
    field and reason; the primary key ``(job_id, seq)`` serves the first lines and the paged
    download in that order. Deleted with its job."""

    __tablename__ = "crm_import_line"

    job_id: Mapped[int] = mapped_column(ForeignKey("crm_import_job.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    line: Mapped[int]
    field: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    #: :data:`ERROR` or :data:`SKIP`; NULL for the reports of jobs finished before this table
    #: (the JSON column they were kept in did not say).
    kind: Mapped[str | None] = mapped_column(String(5))
