"""The inbox item (EXT-12): one element sent to a user's or a group's inbox with a request.

An item points at an element of any session (``session_name`` + ``element_id``, the table's
element type kept beside them for the history), so the plugin knows no business area. Whose
inbox holds it:

* sent to a user: ``user_id`` is that user, ``group_id`` is empty;
* sent to a group: ``group_id`` is the group and ``user_id`` stays empty until a member takes
  it; taking sets ``user_id`` (the taker) and ``taken_at`` in one conditional ``UPDATE … WHERE
  user_id IS NULL`` (:func:`plugins.inboxes.services.take`), so two takers never both win.

Items are audited into their element's history: sending and taking show on the element. Items a
job sent in bulk carry the job's ``source``; the job closes them in bulk too (``bulk.close_many``:
``closed_by_id`` empty when no user acted, ``close_note`` says why).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.toolkit import Base, UTCDateTime, utcnow

STATES = ("open", "done", "dismissed")
#: What the two boxes list (plugins/inboxes/queries.py writes the same conditions with the
#: literal inline, so that PostgreSQL can match the partial indexes below in a prepared plan).
OPEN_SQL = "state = 'open'"
UNTAKEN_SQL = "state = 'open' AND user_id IS NULL"
#: The boxes' sort keys → columns (``queries.SORTS``); one ordered index per box and key.
SORT_COLUMNS = {"received": "received_at", "type": "session", "action": "requested_action", "sender": "sender_id"}


def box_indexes() -> list[Index]:
    """Per box and sort key, ``(holder, sort column, id)`` over the open items only (partial):
    a page in any offered order is read straight off an index, newest or oldest first (a btree
    reads backwards), its ids without visiting the table — the list-index strategy of the grids
    (docs/performance.md), with the box's condition as the index's predicate instead of a key,
    so items done or dismissed, which accumulate, never weigh on the boxes."""
    found = []
    for key, column in SORT_COLUMNS.items():
        found.append(Index(f"ix_inbox_item_mine_{key}", "user_id", column, "id",
                           postgresql_where=text(OPEN_SQL), sqlite_where=text(OPEN_SQL)))
        found.append(Index(f"ix_inbox_item_group_{key}", "group_id", column, "id",
                           postgresql_where=text(UNTAKEN_SQL), sqlite_where=text(UNTAKEN_SQL)))
    return found


class InboxItem(Base):
    __tablename__ = "inbox_item"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR group_id IS NOT NULL", name="recipient"),
        Index("ix_inbox_item_user", "user_id", "state", "received_at"),
        Index("ix_inbox_item_group", "group_id", "state", "received_at"),
        Index("ix_inbox_item_element", "element_type", "element_id"),
        *box_indexes(),
    )
    __audited__: ClassVar[bool] = True
    __audit_keep__: ClassVar[tuple[str, ...]] = ("requested_action",)
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"version", "element_type", "element_id", "session_name"})

    id: Mapped[int] = mapped_column(primary_key=True)
    session_name: Mapped[str] = mapped_column("session", String(80))
    element_type: Mapped[str] = mapped_column(String(60))
    element_id: Mapped[int] = mapped_column()
    group_id: Mapped[int | None] = mapped_column(ForeignKey("crm_group.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id"))
    requested_action: Mapped[str] = mapped_column(String(40))
    action_text: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="open")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True)
    #: Why a job closed the item ("escalated to step 2", "case resolved"); a user's close leaves it empty.
    close_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: The job that sent the item in bulk (``cases.escalation``), so that it closes its own items
    #: only (``crm_inbox_close_many``); empty for an item a user sent.
    source: Mapped[str] = mapped_column(String(60), default="", server_default="")
    #: Every UPDATE says ``WHERE version = :seen``: of two concurrent takes or closes one matches.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    def audit_target(self) -> tuple[str, int]:
        """Sending, taking and closing show in the element's history."""
        return self.element_type, self.element_id
