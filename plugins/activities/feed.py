"""The calendar's JSON feed and drag-to-reschedule (ACT-05, issue 17 item 8).

The page's calendar (FullCalendar) works in the viewer's wall-clock time: the feed gives each
activity's start and end as local date-times without offset and reads the range it is asked for
the same way, so days, hours and daylight-saving changes are computed here, in the user's zone.
Which activities are visible comes from :mod:`plugins.activities.agenda` (the access layer's
scope); a move goes through the toolkit's ``update_element``, the same validation, workflow
and permission rules as the activity's form.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, BusinessRuleError, User, may_modify, update_element
from plugins.activities import agenda
from plugins.activities.calendar import FIRST_DAY, LAST_DAY, span_bounds
from plugins.activities.models import Activity
from plugins.activities.panels import detail_url
from plugins.activities.schemas import TYPE_LABELS
from plugins.activities.services import SESSION, activities_sdef

#: The longest range one feed request may ask for (a month view shows six weeks; list and
#: week views less): bounded so a crafted request cannot load years of activities.
MAX_DAYS = 62


class BadRange(ValueError):
    """A range the feed refuses; the message is for the user."""


def parse_range(start: str | None, end: str | None) -> tuple[date, date]:
    """``start``/``end`` of the calendar's request (ISO dates or date-times, an offset or ``Z``
    ignored: they are wall-clock days) as the first and last day shown."""
    try:
        first = _day(start)
        stop = _day(end)
    except ValueError as exc:
        raise BadRange(_("The dates must look like 2026-03-29.")) from exc
    if first is None or stop is None:
        raise BadRange(_("Give the first and the last day to show."))
    last = stop - timedelta(days=1) if stop > first else stop
    if not FIRST_DAY <= first <= last <= LAST_DAY:
        raise BadRange(
            _("The date is out of range: the calendar shows %(first)s to %(last)s.",
              first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
        )
    if (last - first).days >= MAX_DAYS:
        raise BadRange(_("Ask for at most %(n)d days at a time.", n=MAX_DAYS))
    return first, last


def _day(text: str | None) -> date | None:
    if not text:
        return None
    if len(text) > 40:
        raise ValueError(text)
    return date.fromisoformat(text[:10])


def _local(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")


def events(db: DbSession, access: Access, owner: User, first: date, last: date, zone: tzinfo) -> list[dict[str, Any]]:
    """The visible activities of ``owner``'s calendar between two local days, as FullCalendar
    event objects: a cancelled or done activity cannot be dragged, nor one the viewer may not
    change."""
    start, end = span_bounds(first, last, zone)
    sdef = activities_sdef()
    out = []
    for activity in agenda.between(db, access, owner, start, end):
        movable = activity.status == "planned" and may_modify(sdef, access, activity)
        finish = activity.starts_at + timedelta(minutes=max(activity.duration, 1))
        out.append(
            {
                "id": str(activity.id),
                "title": activity.subject,
                "start": _local(activity.starts_at, zone),
                "end": _local(finish, zone),
                "url": detail_url(SESSION, activity.id),
                "editable": movable,
                "classNames": [f"act-type-{activity.type}", f"status-{activity.status}"],
                "extendedProps": {
                    "type": str(TYPE_LABELS.get(activity.type, activity.type)),
                    "status": activity.status,
                    "minutes": activity.duration,
                },
            }
        )
    return out


def reschedule(db: DbSession, access: Access, activity: Activity, start: str, minutes: str | None) -> Activity:
    """Move ``activity`` to the local date-time ``start`` (and, from a resize, a new length in
    minutes) through the same rules as its form; raises ``ValidationError``,
    ``BusinessRuleError`` or ``PermissionDenied`` with the reason."""
    if activity.status != "planned":
        raise BusinessRuleError(_("Only planned activities can be moved."))
    data: dict[str, Any] = {"starts_at": start[:40]}
    if minutes not in (None, ""):
        data["duration"] = minutes
    update_element(db, activities_sdef(), access, activity, data)
    return activity
