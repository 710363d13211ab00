"""In-app notifications (issue 17 item 11): what a user is told in the application itself — a
record assigned to them, a mention in a note, an item in their inbox, an escalation — shown
behind the bell of the navigation bar until read. Written in the business transaction that
caused them; the text is rendered once, in the recipient's language, when written."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base
from crm_core.models.types import UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "crm_notification"
    #: the bell's unread count and the list's newest-first page read this index only
    __table_args__ = (Index("ix_crm_notification_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id", ondelete="CASCADE"))
    #: what happened: ``assigned``, ``mention`` or a plugin's own word (``inbox``, ``escalated`` …)
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(500))
    #: the record it is about (its detail screen opens from the list, under the reader's rights)
    session_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    element_id: Mapped[int | None] = mapped_column(nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
