"""The activity table (ACT-01): a meeting, call, fax, letter or task on a date and time.

An activity links to at most one element of any session (``session_name`` + ``element_id``; the
linked table's element type is kept in the ``element_type`` column for the detail-tab index),
or to none: a generic activity. The Python attribute is ``link_type`` because ``element_type``
is already the mixin's name for an activity's *own* type (notes and audit rows use it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from crm_core.toolkit import Base, CustomFields, Element, UTCDateTime, list_indexes

#: The activities session's text-filter fields (plugins/activities/sessions.py); a migration
#: must follow any change.
SEARCH = ("subject", "description", "location", "type")
TYPES = ("meeting", "call", "fax", "letter", "task")
STATES = ("planned", "done", "cancelled")


class Activity(CustomFields, Element, Base):
    __tablename__ = "act_activity"
    __element_type__ = "activity"
    # The list indexes serve the grid and the calendar's date ranges; the description is free
    # text, so the searched fields are not included (the trigram index finds words).
    __table_args__ = (
        *list_indexes("act_activity", "-starts_at", include=("status",)),
        Index("ix_act_activity_element", "element_type", "element_id"),
    )

    type: Mapped[str] = mapped_column(String(20), default="task")
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration: Mapped[int] = mapped_column(default=30)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    session_name: Mapped[str | None] = mapped_column("session", String(80), nullable=True)
    element_id: Mapped[int | None] = mapped_column(nullable=True)
    link_type: Mapped[str | None] = mapped_column("element_type", String(60), nullable=True)

    __name_fields__ = ("subject",)

    def display_name(self) -> str:
        return self.subject or f"#{self.id}"

    @validates("session_name")
    def _derive_link_type(self, _key: str, value: str | None) -> str | None:
        """Keep ``element_type`` in step with the linked session, whoever sets it."""
        from crm_core.toolkit import crm_state

        if value:
            model = crm_state().registry.sdef(value).model
            self.link_type = model.__element_type__ if model is not None else None
        else:
            self.link_type = None
        return value or None
