"""Notes and groupings: core features every element has (CORE-12, CORE-13)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from crm_core.db import Base
from crm_core.indexes import list_indexes
from crm_core.models.auth import User
from crm_core.models.element import Element
from crm_core.models.types import UTCDateTime, utcnow


class Note(Base):
    """A comment or an attached file on an element; access follows the element's."""

    __tablename__ = "crm_note"
    __table_args__ = (Index("ix_crm_note_element", "element_type", "element_id"),)
    __audited__ = True
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"element_type", "element_id", "data", "content_type"})

    id: Mapped[int] = mapped_column(primary_key=True)
    element_type: Mapped[str] = mapped_column(String(60))
    element_id: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    size: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    creator_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    creator: Mapped[User] = relationship()

    def audit_target(self) -> tuple[str, int]:
        """A note shows in the history of the element it is attached to."""
        return self.element_type, self.element_id


class Grouping(Element, Base):
    """A named set of elements of one session (seed: *Agrupación*)."""

    __tablename__ = "crm_grouping"
    # the Groupings grid's order (by name), for "my groupings" and for all: its one offered sort
    __table_args__ = (UniqueConstraint("session", "name"), *list_indexes("crm_grouping", "name"))

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The session whose elements this grouping holds, e.g. ``accounts``.
    session_name: Mapped[str] = mapped_column("session", String(80), index=True)
    #: A smart list's saved criteria: the grid's query arguments (``q``, ``status``, ``only``,
    #: ``filter=field:op:value``, ``match``); its members are computed when used. ``None`` for
    #: a grouping of chosen members.
    criteria: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)

    members: Mapped[list[GroupingMember]] = relationship(
        back_populates="grouping", cascade="all, delete-orphan"
    )


class GroupingMember(Base):
    __tablename__ = "crm_grouping_member"
    __table_args__ = (UniqueConstraint("grouping_id", "element_id"),)
    __audited__ = True
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"grouping_id"})

    id: Mapped[int] = mapped_column(primary_key=True)
    grouping_id: Mapped[int] = mapped_column(ForeignKey("crm_grouping.id", ondelete="CASCADE"))
    element_id: Mapped[int] = mapped_column(index=True)

    grouping: Mapped[Grouping] = relationship(back_populates="members")

    def audit_target(self) -> tuple[str, int]:
        """Members joining or leaving show in the grouping's history."""
        return Grouping.__tablename__, self.grouping_id
