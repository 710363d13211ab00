"""Telephony tables (EXT-11, TEL-01): the call records, each user's extension, the PBX link's gaps.

A call is an element owned by its agent (so "my calls" and the ownership rules are the core's),
unique on the PBX's call id: every path that reports a call — the AMI link, a hosted PBX's
webhook, an imported CDR file — writes or completes the same row, never a second one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from crm_core.toolkit import Base, CustomFields, Element, UTCDateTime, e164, list_indexes, utcnow

DIRECTIONS = ("inbound", "outbound")
RESULTS = ("answered", "missed", "busy", "unreachable")
SEARCH = ("number", "extension", "call_id")


class Call(CustomFields, Element, Base):
    """One call: who called whom, how it ended, how long it rang and talked, with which client."""

    __tablename__ = "tel_call"
    __element_type__ = "call"
    __audit_exclude__ = frozenset({"number_e164"})
    __table_args__ = (
        *list_indexes("tel_call", "-started_at", include=("result", *SEARCH)),
        Index("ix_tel_call_number_e164", "number_e164"),
        Index("ix_tel_call_element", "session", "element_id"),
    )

    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(10), default="inbound")
    number: Mapped[str] = mapped_column(String(40), default="")
    number_e164: Mapped[str] = mapped_column(String(16), default="")
    extension: Mapped[str] = mapped_column(String(20), default="")
    result: Mapped[str] = mapped_column(String(12), default="answered")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ring_seconds: Mapped[int] = mapped_column(default=0)
    talk_seconds: Mapped[int] = mapped_column(default=0)
    session_name: Mapped[str | None] = mapped_column("session", String(80), nullable=True)
    element_id: Mapped[int | None] = mapped_column(nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    recording_url: Mapped[str] = mapped_column(String(500), default="")

    @validates("number")
    def _number_e164(self, _key: str, number: str) -> str:
        self.number_e164 = e164(number)
        return number

    __name_fields__ = ("number", "started_at")

    def display_name(self) -> str:
        return f"{self.number or '?'} {self.started_at:%Y-%m-%d %H:%M}"


class Extension(Base):
    """A user's telephone extension on the PBX (My account, the users screen): where their calls
    ring, what click-to-call dials first, whose browser a call pops up in."""

    __tablename__ = "tel_extension"

    user_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id", ondelete="CASCADE"), primary_key=True)
    extension: Mapped[str] = mapped_column(String(20), unique=True)


class LinkGap(Base):
    """A time the AMI link was down: calls in it are recovered from the CDR import (the gap is then
    marked recovered) or stay flagged on the call figures page — never silently lost."""

    __tablename__ = "tel_link_gap"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    recovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Pop(Base):
    """A call ringing at an agent's extension, waiting for their browser's screen pop: the PBX
    link writes it (another process), the agent's event stream reads it. Only the number is kept;
    the card is built when the agent's browser asks, with the agent's permissions."""

    __tablename__ = "tel_pop"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
