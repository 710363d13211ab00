"""What every background job row keeps (imports, bulk actions): its message, when it was
created, last made progress and finished, and whether it is over — the columns the progress
pages and ``crm_core.services.stalled_jobs`` read alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.models.types import UTCDateTime, utcnow


class JobRecord:
    """Mixin of a job table: ``message``, ``created_at``, ``finished_at``, ``beat_at`` and the
    ``finished`` state test (a job ends ``done`` or ``failed``)."""

    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: when the job last made progress (started, or a chunk done): a running job whose beat is
    #: older than ``CRM_JOB_STALL_SECONDS`` lost its process (``crm_core.services.stalled_jobs``).
    beat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def finished(self) -> bool:
        return getattr(self, "state", None) in ("done", "failed")
