"""Activities' part of the privacy erase (CORE-21): the meetings, calls, letters and tasks linked
to any record of the client (its account, contacts, opportunities, cases …) lose their
description and place and have the client's names redacted from their subject; others that
name the client in their text are redacted. Type, dates, duration and state stay.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from crm_core.toolkit import privacy
from plugins.activities.models import Activity

PLUGIN = "activities"
ERASED_FIELDS = ("description", "location")


def _linked(db: Any, plan: privacy.ErasurePlan) -> list[Activity]:
    return list(db.scalars(
        select(Activity).where(plan.targets(Activity.link_type, Activity.element_id)).order_by(Activity.id)
    ))


def _mentioning(db: Any, plan: privacy.ErasurePlan) -> list[Activity]:
    texts = (Activity.subject, Activity.description, Activity.location)
    ours = plan.elements
    stmt = select(Activity).where(or_(*(plan.mentions(t) for t in texts))).order_by(Activity.id)
    return [a for a in db.scalars(stmt)
            if (a.link_type, a.element_id) not in ours and any(plan.mentioned(getattr(a, t.key)) for t in texts)]


def find(plan: privacy.ErasurePlan, db: Any) -> privacy.PersonalData | None:
    linked, mentioning = _linked(db, plan), _mentioning(db, plan)
    if not (linked or mentioning):
        return None
    items = (("activities", _l("Activities of the client"), len(linked)),
             ("activities_mentioning", _l("Other activities naming the client"), len(mentioning)))
    return privacy.PersonalData(
        PLUGIN,
        items=tuple(privacy.ErasedItem(key, label, n) for key, label, n in items if n),
        elements=frozenset((Activity.__element_type__, a.id) for a in linked),
        fields={Activity.__element_type__: frozenset(ERASED_FIELDS)},
    )


def erase(plan: privacy.ErasurePlan, db: Any) -> None:
    for activity in _linked(db, plan):
        activity.subject = plan.redact(activity.subject, own=True)
        activity.description = ""
        activity.location = ""
    for activity in _mentioning(db, plan):
        activity.subject = plan.redact(activity.subject)
        activity.description = plan.redact(activity.description)
        activity.location = plan.redact(activity.location)
