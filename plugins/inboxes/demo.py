"""Demo inbox items (``crm demo``): requests between the demo users on their own records.

Elements come from whatever sessions are enabled (through the registry, never by importing
another plugin). Runs once: a database that holds inbox items already gets none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Group, User, crm_state, load_access
from plugins.inboxes.models import InboxItem
from plugins.inboxes.services import send

#: (sender, owner of the element, recipient, requested action, note)
PLAN = (
    ("ana", "ana", "user:leader", "approve", "Discount of 12% requested: can you approve it?"),
    ("bob", "bob", "user:leader", "review", "Please review before I call them on Monday."),
    ("leader", "bob", "group:Executives", "call_back", "Asked for a call back this week; whoever is free."),
    ("leader", "ana", "group:Executives", "follow_up", "No answer to our last email."),
)


def _newest_owned(db: DbSession, owner: User, skip: int) -> tuple[Any, Any] | None:
    """The ``skip``-th session with a record of ``owner``, and its newest such record."""
    found = 0
    for sdef in crm_state().registry.grid_sessions():
        if sdef.name == "groupings":
            continue
        model = sdef.model
        stmt = select(model).where(model.owner_id == owner.id, *[getattr(model, k) == v for k, v in sdef.where.items()])
        element = db.scalar(stmt.order_by(model.id.desc()).limit(1))
        if element is None:
            continue
        if found == skip:
            return sdef, element
        found += 1
    return None


def load(db: DbSession, users: dict[str, User]) -> None:
    if db.scalar(select(func.count()).select_from(InboxItem)):
        return
    groups = {g.name: g.id for g in db.scalars(select(Group))}
    for number, (sender, owner, recipient, action, note) in enumerate(PLAN):
        if sender not in users or owner not in users:
            continue
        kind, _sep, name = recipient.partition(":")
        target = users[name].id if kind == "user" and name in users else groups.get(name)
        picked = _newest_owned(db, users[owner], number % 2)
        if target is None or picked is None:
            continue
        sdef, element = picked
        send(db, sdef, load_access(db, users[sender], crm_state().row_filters), element,
             f"{kind}:{target}", action, note=note)
