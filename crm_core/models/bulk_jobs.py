"""Bulk action jobs (issue 17 leftovers, CORE-08): a bulk action on more records than a request
should take, run by a background thread in chunks.

The row carries what the confirmed request chose (the action, its value, the record ids as they
were counted on the confirmation page) and the counters every web process can read while the
thread works: each chunk commits its records together with the counters, so ``processed`` always
says exactly how many records were handled. ``refusals`` is the per-record report of the records
that were refused (``[[id, name, reason], ...]``); the done ones are only counted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from crm_core.db import Base
from crm_core.models.jobs import JobRecord

BULK_JOB_STATES = ("queued", "running", "done", "failed")


class BulkJob(JobRecord, Base):
    """One queued bulk action and its outcome; visible to the user who started it and to admins."""

    __tablename__ = "crm_bulk_job"
    __table_args__ = (Index("ix_crm_bulk_job_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_name: Mapped[str] = mapped_column("session", String(80))
    user_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(80), default="")
    #: the chosen record ids, in id order; emptied when the job ends.
    ids: Mapped[list[int]] = deferred(mapped_column(JSON, default=list))
    state: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    #: ``[[id, name, reason], ...]`` of every refused record.
    refusals: Mapped[list[Any]] = deferred(mapped_column(JSON, default=list))

    def progress(self) -> dict[str, Any]:
        """The counters the progress endpoints return as JSON."""
        keys = ("state", "total", "processed", "done", "refused", "message")
        return {k: getattr(self, k) for k in keys} | {"finished": self.finished}
