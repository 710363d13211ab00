"""Saved grid views (issue 17 item 4): a user's named column choice, filters, sort and page size
for one session's grid. Administrators may share a view with everyone or with one group; others
read a shared view, never change it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base
from crm_core.models.types import UTCDateTime, utcnow


class GridView(Base):
    __tablename__ = "crm_grid_view"
    __table_args__ = (UniqueConstraint("user_id", "session_name", "name"),)
    __audited__ = True
    __audit_keep__: ClassVar[tuple[str, ...]] = ("session_name", "name")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id", ondelete="CASCADE"), index=True)
    session_name: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(80))
    #: The grid's URL parameters: ``cols``, ``q``, ``status``, ``only``, ``all``, ``sort``, ``per_page``.
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Opened when the user comes to the grid without any parameter (one per user and session).
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``None`` (private), ``"all"`` (every user) or ``"group"`` (the members of ``group_id``).
    shared: Mapped[str | None] = mapped_column(String(10), nullable=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("crm_group.id", ondelete="CASCADE"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
