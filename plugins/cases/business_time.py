"""Business-time arithmetic for SLA clocks (CAS-02): working days, working hours, holidays and
the client's time zone.

A clock runs only inside working windows: each working day that is not a holiday contributes
the window ``[start, end)`` of *local* wall-clock time, converted to UTC for that very day, so
a daylight-saving change moves the window in UTC and never stretches or shrinks the working day
(a 09:00–18:00 day is nine hours in March and in October). Holidays come from the maintained
``holidays`` package (country and optional subdivision) plus the client's own dates.

Times in and out are aware UTC datetimes, as the database stores them. Both directions walk day
by day, so adding 21 business days costs about a month of iterations, not one per minute.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

#: Safety bound of the day walk: a ladder longer than this many calendar days is a configuration
#: error (refused at start-up), never an endless loop.
MAX_DAYS = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    """Working time of one client: ``weekdays`` are ISO numbers (1 = Monday)."""

    time_zone: str = "UTC"
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    start: time = time(9, 0)
    end: time = time(18, 0)
    country: str = ""
    subdivision: str = ""
    extra_holidays: frozenset[date] = frozenset()
    _cache: dict[int, set[date]] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def day_minutes(self) -> int:
        """Length of a working day in minutes: what one business *day* of an SLA means."""
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)

    def is_holiday(self, day: date) -> bool:
        if day in self.extra_holidays:
            return True
        if not self.country:
            return False
        if day.year not in self._cache:
            calendar = holiday_calendars.country_holidays(
                self.country, subdiv=self.subdivision or None, years=day.year
            )
            self._cache[day.year] = set(calendar.keys())
        return day in self._cache[day.year]

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and not self.is_holiday(day)

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The working window of a local ``day`` in UTC (DST of that day applied)."""
        zone = self.zone
        opens = datetime.combine(day, self.start, zone).astimezone(UTC)
        closes = datetime.combine(day, self.end, zone).astimezone(UTC)
        return opens, closes

    def _windows(self, first: date, step: int) -> Iterator[tuple[datetime, datetime]]:
        day = first
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                yield self.window(day)
            day += timedelta(days=step)
        raise ValueError(f"no end of business time within {MAX_DAYS} days: check the working days")

    def add(self, moment: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` of working time after ``moment`` (outside hours: from the next
        opening). Zero minutes from a closed moment gives the next opening."""
        moment = _utc(moment)
        left = timedelta(minutes=minutes)
        for opens, closes in self._windows(moment.astimezone(self.zone).date(), 1):
            begin = max(opens, moment)
            if begin >= closes:
                continue
            if begin + left <= closes:
                return begin + left
            left -= closes - begin
        raise AssertionError("unreachable")  # pragma: no cover - _windows raises first

    def subtract(self, moment: datetime, minutes: int) -> datetime:
        """The latest instant from which ``minutes`` of working time have run by ``moment``.

        Used by escalation: a case opened at or before this instant has been open at least
        ``minutes`` of business time, so one cutoff per ladder step selects every due case in
        SQL. (When the start falls in closed hours any closed instant just before the window
        works alike; the window's opening is returned.)
        """
        moment = _utc(moment)
        left = timedelta(minutes=minutes)
        for opens, closes in self._windows(moment.astimezone(self.zone).date(), -1):
            stop = min(closes, moment)
            if stop <= opens:
                continue
            if stop - left >= opens:
                return stop - left
            left -= stop - opens
        raise AssertionError("unreachable")  # pragma: no cover

    def elapsed(self, since: datetime, until: datetime) -> int:
        """Working minutes between two instants (0 when ``until`` is not after ``since``)."""
        since, until = _utc(since), _utc(until)
        if until <= since:
            return 0
        total = timedelta()
        day = since.astimezone(self.zone).date()
        last = until.astimezone(self.zone).date()
        for offset in range((last - day).days + 1):
            current = day + timedelta(days=offset)
            if not self.is_working_day(current):
                continue
            opens, closes = self.window(current)
            begin, stop = max(opens, since), min(closes, until)
            if stop > begin:
                total += stop - begin
        return int(total.total_seconds() // 60)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_duration(text: str, day_minutes: int) -> int:
    """``"7d"`` (business days), ``"8h"`` (business hours) or ``"30m"`` → business minutes.

    Raises ``ValueError`` with a readable message for anything else (start-up names the key).
    """
    value = str(text).strip().lower()
    units = {"d": day_minutes, "h": 60, "m": 1}
    if len(value) < 2 or value[-1] not in units or not value[:-1].isdigit() or int(value[:-1]) <= 0:
        raise ValueError(f"“{text}” is not a duration: write a positive number and d (business days), "
                         "h (business hours) or m (minutes), e.g. “7d”")
    return int(value[:-1]) * units[value[-1]]


def parse_dates(values: Iterable[str]) -> frozenset[date]:
    return frozenset(date.fromisoformat(str(v)) for v in values)
