"""Pure date math of the calendar and the agenda (ACT-05, CORE-07): no database, no Flask.

Activities are stored in UTC; a user's days start at local midnight in their zone, so a day is
usually 24 hours long but 23 or 25 on a daylight-saving change. Every boundary is computed by
localising midnight, never by adding 24 hours.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

VIEWS = ("month", "week", "day")
#: The days the calendar shows. A month view pads its weeks with days of the months around it
#: and links to the month before and after, and a local midnight can fall on the previous or
#: next UTC day: these bounds keep all of that between ``date.min`` and ``date.max``.
FIRST_DAY = date(1, 2, 1)
LAST_DAY = date(9999, 11, 30)


class OutOfRange(ValueError):
    """A well-formed date outside ``FIRST_DAY``..``LAST_DAY``."""


def user_zone(user: Any) -> tzinfo:
    """The user's zone (``user.timezone``); an unknown or empty name falls back to UTC."""
    name = getattr(user, "timezone", "") or ""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """Midnight starting ``day`` in ``zone``, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """``[start, end)`` of the local ``day`` in UTC (23 or 25 hours long on a DST change)."""
    return local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)


def span_bounds(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """``[start of first, end of last)`` in UTC."""
    return local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)


def local_today(zone: tzinfo, now: datetime | None = None) -> date:
    """Today's date in ``zone`` (it may already be tomorrow, or still yesterday, in UTC)."""
    return (now or datetime.now(UTC)).astimezone(zone).date()


def month_weeks(day: date) -> list[list[date]]:
    """The weeks (Monday first) covering ``day``'s month, padded with neighbouring days."""
    return _stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(day.year, day.month)


def week_days(day: date) -> list[date]:
    """Monday to Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def view_span(view: str, day: date) -> tuple[date, date]:
    """First and last date a view shows around ``day``."""
    if view == "month":
        weeks = month_weeks(day)
        return weeks[0][0], weeks[-1][-1]
    if view == "week":
        days = week_days(day)
        return days[0], days[-1]
    return day, day


def step(view: str, day: date, direction: int) -> date:
    """The ``day`` of the previous (-1) or next (+1) month, week or day."""
    if view == "month":
        month_index = day.year * 12 + day.month - 1 + direction
        year, month = divmod(month_index, 12)
        last = _stdlib_calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(day.day, last))
    return day + timedelta(days=(7 if view == "week" else 1) * direction)


def parse_day(text: str | None, default: date) -> date:
    """``YYYY-MM-DD`` or ``default`` when empty; raises ``ValueError`` on anything else and
    :class:`OutOfRange` for a day outside ``FIRST_DAY``..``LAST_DAY``."""
    if not text:
        return default
    day = date.fromisoformat(text)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(text)
    return day


def can_step(view: str, day: date, direction: int) -> bool:
    """Whether the previous (-1) or next (+1) month, week or day is still a day the calendar
    shows (the navigation hides the link at the ends of the range)."""
    if view == "month":
        return FIRST_DAY <= day.replace(day=1) + timedelta(days=-1 if direction < 0 else 31) <= LAST_DAY
    return FIRST_DAY <= day + timedelta(days=(7 if view == "week" else 1) * direction) <= LAST_DAY


def block(starts_at: datetime, duration: int, day: date, zone: tzinfo) -> tuple[float, float]:
    """Top and height of an activity in a day column, in percent of the local day.

    The block is clipped to the day, so an activity crossing midnight shows the part that
    falls on it; a zero-minute activity still gets a visible sliver.
    """
    start, end = day_bounds(day, zone)
    length = (end - start).total_seconds()
    begin = max(starts_at, start)
    finish = min(starts_at + timedelta(minutes=duration), end)
    top = (begin - start).total_seconds() / length * 100
    height = max((finish - begin).total_seconds() / length * 100, 1.0)
    return round(top, 3), round(min(height, 100 - top), 3)


def hour_marks(day: date, zone: tzinfo) -> list[tuple[str, float]]:
    """Labels of the local hours of ``day`` with their position in percent (24 ± 1 of them)."""
    start, end = day_bounds(day, zone)
    length = (end - start).total_seconds()
    marks = []
    moment = start
    while moment < end:
        position = round((moment - start).total_seconds() / length * 100, 3)
        marks.append((moment.astimezone(zone).strftime("%H:%M"), position))
        moment += timedelta(hours=1)
    return marks
