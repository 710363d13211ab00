"""The log of privacy erasures (CORE-21): who erased which client, when, and how much.

It holds no erased value — only the client's session and id and the number of records each
plugin erased — so the erasure itself stays accountable after the data is gone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base
from crm_core.models.auth import User
from crm_core.models.types import UTCDateTime, utcnow


class Erasure(Base):
    __tablename__ = "crm_erasure"
    __table_args__ = (Index("ix_crm_erasure_client", "element_type", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id"))
    #: The client's session (``accounts``) and record: the record stays, anonymised.
    session_name: Mapped[str] = mapped_column("session", String(80))
    element_type: Mapped[str] = mapped_column(String(60))
    element_id: Mapped[int] = mapped_column()
    #: ``{plugin: {what: number}}`` — counts only, never a value.
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User] = relationship()
