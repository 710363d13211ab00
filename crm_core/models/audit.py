"""Audit trail: who changed what and when, per element (CORE-15)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base
from crm_core.models.auth import User
from crm_core.models.types import UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "crm_audit"
    __table_args__ = (Index("ix_crm_audit_element", "element_type", "element_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    element_type: Mapped[str] = mapped_column(String(60))
    element_id: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The action the change was made by (``qualify``), else its operation (create, update, delete).
    action: Mapped[str] = mapped_column(String(40))
    #: create, update or delete; empty on rows written before the central audit (contract 2.0).
    operation: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: The changed object's table when it is not the element itself (a note, a permission …).
    object_type: Mapped[str | None] = mapped_column(String(60), nullable=True)
    #: ``{field: [old, new]}`` with JSON-safe values; a secret field maps to ``"changed"``.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()
