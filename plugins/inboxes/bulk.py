"""Bulk send and close (EXT-12): many elements of one session into one inbox, or their items
out of the inboxes, with one statement.

What a periodic job needs (SLA escalation hands thousands of cases to the next inbox per
batch): the elements and their senders travel as two arrays — ``unnest`` on PostgreSQL,
``json_each`` on SQLite — into one ``INSERT … SELECT``, so the cost is the rows and their
indexes, never a statement per element. The job tags what it sends with its ``source`` and
later closes its own open items of the elements it moves on (one ``UPDATE`` per call), so a
user's item about the same record stays. Reached by other plugins through the hooks
``crm_inbox_send_many`` and ``crm_inbox_close_many`` (plugins/inboxes/hookspecs.py), never by
import.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Integer, Subquery, bindparam, column, func, literal, select, table, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import BusinessRuleError, Group, User, crm_state, group_can, session_label, utcnow
from plugins.inboxes import notices
from plugins.inboxes.models import InboxItem
from plugins.inboxes.services import GROUP, MINE

COLUMNS = ("session", "element_type", "element_id", "sender_id", "group_id", "user_id", "requested_action",
           "action_text", "note", "state", "received_at", "version", "source", "close_note")
#: The state of a finished item (plugins/inboxes/models.py ``STATES``): a job's close is "done".
DONE = "done"


def _check(db: DbSession, session_name: str, group_id: int | None, user_id: int | None) -> None:
    """The one check of a bulk send: a served session and an inbox that exists and may hold it."""
    registry = crm_state().registry
    if session_name not in registry.sessions or not registry.is_available(session_name):
        raise BusinessRuleError(_("The area of this item is no longer available."))
    sdef = registry.sessions[session_name]
    if (group_id is None) == (user_id is None):
        raise BusinessRuleError(_("Choose a user or a group to send to."), field="recipient")
    if group_id is not None:
        group = db.get(Group, group_id)
        if group is None:
            raise BusinessRuleError(_("Unknown group."), field="recipient")
        if not group_can(db, group_id, GROUP, "view") or not group_can(db, group_id, session_name, "view"):
            raise BusinessRuleError(
                _("The group %(group)s may not see %(area)s, so it cannot receive this %(element)s.",
                  group=group.name, area=session_label(sdef), element=str(sdef.singular or sdef.label)),
                field="recipient",
            )
        return
    user = db.get(User, user_id)
    if user is None or not user.active:
        raise BusinessRuleError(_("Unknown or inactive user."), field="recipient")
    if not group_can(db, user.group_id, MINE, "view") and not user.is_admin:
        raise BusinessRuleError(_("%(user)s has no inbox: their group may not use inboxes.",
                                  user=user.display_name()), field="recipient")


def _pairs(db: DbSession, items: list[tuple[int, int]]) -> Subquery:
    """``(element_id, sender_id)`` rows from two bound arrays: one parameter each, any count."""
    elements = [int(element_id) for element_id, _sender in items]
    senders = [int(sender) for _element, sender in items]
    if db.get_bind().dialect.name == "postgresql":
        return select(
            func.unnest(bindparam("elements", elements, type_=ARRAY(Integer))).label("element_id"),
            func.unnest(bindparam("senders", senders, type_=ARRAY(Integer))).label("sender_id"),
        ).subquery("pairs")
    # SQLite: the n-th element with the n-th sender (json_each keys are the array positions).
    first = func.json_each(json.dumps(elements)).table_valued("key", "value").alias("e")
    second = func.json_each(json.dumps(senders)).table_valued("key", "value").alias("s")
    return (
        select(first.c.value.label("element_id"), second.c.value.label("sender_id"))
        .join_from(first, second, first.c.key == second.c.key)
        .subquery("pairs")
    )


def send_many(db: DbSession, session_name: str, element_type: str, items: list[tuple[int, int]],
              group_id: int | None, user_id: int | None, requested_action: str, action_text: str = "",
              note: str = "", source: str = "") -> int:
    """Store one open item per ``(element id, sender id)`` of ``items`` in the inbox of
    ``group_id`` or ``user_id``; one statement in the caller's transaction; returns the count."""
    if not items:
        return 0
    _check(db, session_name, group_id, user_id)
    pairs = _pairs(db, items)
    now = utcnow()
    target = table("inbox_item", column("id"), *(column(name) for name in COLUMNS))
    source = select(
        literal(session_name), literal(element_type), pairs.c.element_id, pairs.c.sender_id,
        literal(group_id, Integer), literal(user_id, Integer), literal(requested_action),
        literal(" ".join((action_text or "").split())[:200]), literal((note or "").strip()), literal("open"),
        literal(now, InboxItem.__table__.c.received_at.type), literal(1), literal(_source(source)), literal(""),
    )
    # the count from RETURNING: psycopg reports no row count (-1) for this INSERT … SELECT
    stored = len(db.execute(target.insert().from_select(list(COLUMNS), source).returning(target.c.id)).all())
    notices.items_sent(db, session_name, stored, group_id, user_id, requested_action, note)
    return stored


def _source(source: str | None) -> str:
    text = (source or "").strip()
    if len(text) > 60:
        raise ValueError(f"an inbox item's source is at most 60 characters: {text!r}")
    return text


def _among(db: DbSession, ids: list[int]) -> ColumnElement[bool]:
    """``element_id`` among ``ids``, bound as one array whatever the count (as :func:`_pairs`)."""
    element_id = InboxItem.__table__.c.element_id
    values = [int(i) for i in ids]
    if db.get_bind().dialect.name == "postgresql":
        return element_id == func.any(bindparam("element_ids", values, type_=ARRAY(Integer)))
    listed = func.json_each(json.dumps(values)).table_valued("value")
    return element_id.in_(select(listed.c.value))


def close_many(db: DbSession, session_name: str, element_type: str, element_ids: list[int], source: str,
               closed_by_id: int | None, note: str) -> int:
    """Mark done every open item that ``source`` sent about ``element_ids`` (taken or not, in any
    inbox), with who (``closed_by_id``; None: a job, no user), when and ``note``; one ``UPDATE``
    in the caller's transaction (the version bumped, so a user's concurrent close or take of the
    same item is refused, not lost). Returns how many items it closed."""
    source = _source(source)
    if not source:
        raise ValueError("close_many closes the items of one source: name it")
    if not element_ids:
        return 0
    items = InboxItem.__table__
    closed = db.execute(
        update(items)
        .where(InboxItem.session_name == session_name, items.c.element_type == element_type, items.c.source == source,
               items.c.state == "open", _among(db, element_ids))
        .values(state=DONE, closed_at=utcnow(), closed_by_id=closed_by_id,
                close_note=" ".join((note or "").split())[:200], version=items.c.version + 1)
    )
    return int(closed.rowcount)
