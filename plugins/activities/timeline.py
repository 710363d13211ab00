"""Activities and calls on the timeline of the record they are linked to (issue 17 item 2).

An activity is dated when it was done, else when it was created (a planned visit shows when it
was planned); a call logged by telephony is an activity of type *call* and reads as a call. Only
activities the reader may see (the ownership filter) are listed; two queries per page (the
activities, their owners' names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, TimelineEntry, TimelineLine, crm_state, scoped, user_names
from plugins.activities.models import Activity
from plugins.activities.panels import detail_url
from plugins.activities.schemas import TYPE_LABELS
from plugins.activities.services import SESSION, activities_sdef


def _moment(activity: Activity) -> datetime:
    return activity.done_at or activity.created_at


def entries(db: DbSession, access: Access, element: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    """The newest ``limit`` activities linked to ``element`` that ``access`` may see."""
    if not access.can(SESSION, "view"):
        return []
    sdef = activities_sdef()
    moment = func.coalesce(Activity.done_at, Activity.created_at)
    stmt = scoped(sdef, access, all_records=True).where(
        Activity.link_type == element.element_type, Activity.element_id == element.id
    )
    if before is not None:
        stmt = stmt.where(moment <= before)
    rows = list(db.scalars(stmt.order_by(moment.desc(), Activity.id.desc()).limit(limit)))
    owners = user_names(db, {a.owner_id for a in rows})
    registry = crm_state().registry
    out = []
    for activity in rows:
        kind = "call" if activity.type == "call" else "activity"
        type_label = str(TYPE_LABELS.get(activity.type, activity.type))
        out.append(TimelineEntry(
            _moment(activity), f"activity:{activity.id:012d}", kind,
            _("%(type)s: %(subject)s", type=type_label, subject=activity.subject),
            who=owners.get(activity.owner_id, ""), body=activity.description,
            lines=(TimelineLine(_("Status"), None, str(registry.status_label(sdef, activity.status))),),
            url=detail_url(SESSION, activity.id),
        ))
    return out
