"""Inboxes' part of the privacy erase (CORE-21): items about the client's records lose their
note and have the client's names redacted from the requested action's text; items elsewhere
naming the client are redacted. Who sent what to whom, when, and its state stay.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from crm_core.toolkit import privacy
from plugins.inboxes.models import InboxItem

PLUGIN = "inboxes"


def _items(db: Any, plan: privacy.ErasurePlan) -> list[InboxItem]:
    stmt = select(InboxItem).where(or_(
        plan.targets(InboxItem.element_type, InboxItem.element_id),
        plan.mentions(InboxItem.note), plan.mentions(InboxItem.action_text),
    ))
    return list(db.scalars(stmt.order_by(InboxItem.id)))


def find(plan: privacy.ErasurePlan, db: Any) -> privacy.PersonalData | None:
    items = _items(db, plan)
    if not items:
        return None
    return privacy.PersonalData(
        PLUGIN,
        items=(privacy.ErasedItem("items", _l("Inbox items"), len(items)),),
        fields={InboxItem.__tablename__: frozenset({"note"})},
    )


def erase(plan: privacy.ErasurePlan, db: Any) -> None:
    ours = plan.elements
    for item in _items(db, plan):
        own = (item.element_type, item.element_id) in ours
        item.note = "" if own else plan.redact(item.note)
        item.action_text = plan.redact(item.action_text, own)
