"""The transactional outbox table (ERP-01, MSG-01).

A row is written in the same transaction as the business change that caused it, so a message
exists if and only if the change was committed; the ``crm worker`` delivers it later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base
from crm_core.models.types import UTCDateTime, utcnow

#: Internal states; ``sending`` is a claim with a lease (``next_attempt_at`` = lease expiry).
STATUSES = ("pending", "sending", "sent", "failed", "dead", "cancelled")
#: States a worker picks up when due (``failed`` = waiting for its next retry).
DUE_STATUSES = ("pending", "failed")


class OutboxMessage(Base):
    __tablename__ = "crm_outbox"
    __table_args__ = (
        Index("ix_crm_outbox_due", "status", "next_attempt_at"),
        Index("ix_crm_outbox_element", "element_type", "element_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Unique: enqueueing the same key twice keeps one message (events may be replayed).
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The element the message is about, for its history tab (may be empty).
    element_type: Mapped[str | None] = mapped_column(String(60), nullable=True)
    element_id: Mapped[int | None] = mapped_column(nullable=True)
