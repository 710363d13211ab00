"""iCalendar (RFC 5545) export of one user's activities (ACT-05), built with ``icalendar``.

Text goes through :func:`crm_core.reports.formats.printable`: RFC 5545 text may not hold
control characters, and a stored lone surrogate would make ``to_ical`` fail for the whole
calendar (NF-02).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta

from icalendar import Calendar, Event

from crm_core.toolkit import printable, utcnow
from plugins.activities.models import Activity

PRODID = "-//crm-framework//activities//EN"
ICS_STATUS = {"planned": "CONFIRMED", "done": "CONFIRMED", "cancelled": "CANCELLED"}


def calendar_bytes(activities: Iterable[Activity], name: str, hidden: frozenset[str] = frozenset()) -> bytes:
    """A VCALENDAR with one VEVENT per activity; UID is the activity's stable uid, times in UTC.
    The description and location are left out when they are ``hidden`` from the reader's group
    (field-level access: ``access.field_rules(sdef).hidden``)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", printable(name))
    stamp = utcnow()
    for activity in activities:
        event = Event()
        event.add("uid", activity.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", activity.starts_at.astimezone(UTC))
        event.add("dtend", (activity.starts_at + timedelta(minutes=activity.duration)).astimezone(UTC))
        event.add("summary", printable(activity.subject))
        if activity.description and "description" not in hidden:
            event.add("description", printable(activity.description))
        if activity.location and "location" not in hidden:
            event.add("location", printable(activity.location))
        event.add("status", ICS_STATUS.get(activity.status, "CONFIRMED"))
        event.add("categories", [activity.type.upper()])
        event.add("last-modified", activity.updated_at.astimezone(UTC))
        cal.add_component(event)
    return cal.to_ical()
