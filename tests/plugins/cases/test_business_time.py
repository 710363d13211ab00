"""Business-time clocks (CAS-02): working hours and days, holidays of the client's region and
the spring and autumn daylight-saving changes of Europe/Madrid."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from plugins.cases.business_time import BusinessCalendar, parse_duration

MADRID = BusinessCalendar(
    time_zone="Europe/Madrid", country="ES", subdivision="MD", extra_holidays=frozenset({date(2026, 12, 24)})
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_hours_run_inside_the_working_day_and_continue_the_next_morning():
    # Monday 2026-02-02 16:00 Madrid (15:00 UTC, winter) + 5 business hours = Tuesday 12:00 Madrid.
    assert MADRID.add(utc(2026, 2, 2, 15), 5 * 60) == utc(2026, 2, 3, 11)


def test_weekends_and_holidays_do_not_count():
    # Friday 2026-04-03 is Good Friday (national), Thursday 04-02 Maundy Thursday (Madrid):
    # Wednesday 17:00 + 2 h lands on Monday 2026-04-06 10:00 Madrid (08:00 UTC, summer time).
    assert MADRID.add(utc(2026, 4, 1, 15), 120) == utc(2026, 4, 6, 8)
    # The client's own closed day (Christmas Eve) and Christmas are skipped.
    assert MADRID.add(utc(2026, 12, 23, 16), 120) == utc(2026, 12, 28, 9)


def test_a_moment_outside_hours_starts_the_clock_at_the_next_opening():
    assert MADRID.add(utc(2026, 2, 7, 12), 0) == utc(2026, 2, 9, 8)  # Saturday → Monday 09:00 CET


def test_the_spring_change_keeps_the_working_day_nine_hours_long():
    # Friday 2026-03-27 17:00 CET (16:00 UTC) + 2 h: 1 h on Friday, 1 h on Monday 03-30 after
    # the clocks went forward on Sunday 03-29: Monday 10:00 CEST is 08:00 UTC.
    assert MADRID.add(utc(2026, 3, 27, 16), 120) == utc(2026, 3, 30, 8)
    assert MADRID.elapsed(utc(2026, 3, 27, 16), utc(2026, 3, 30, 8)) == 120
    # A full business day on each side of the change is nine hours.
    assert MADRID.elapsed(utc(2026, 3, 27, 0), utc(2026, 3, 28, 0)) == 9 * 60
    assert MADRID.elapsed(utc(2026, 3, 30, 0), utc(2026, 3, 31, 0)) == 9 * 60


def test_the_autumn_change_moves_the_window_one_hour_later_in_utc():
    # Friday 2026-10-23 closes 18:00 CEST = 16:00 UTC; Monday 10-26 (after the change) opens
    # 09:00 CET = 08:00 UTC, so one hour more ends at 09:00 UTC.
    assert MADRID.add(utc(2026, 10, 23, 16), 60) == utc(2026, 10, 26, 9)
    assert MADRID.window(date(2026, 10, 23)) == (utc(2026, 10, 23, 7), utc(2026, 10, 23, 16))
    assert MADRID.window(date(2026, 10, 26)) == (utc(2026, 10, 26, 8), utc(2026, 10, 26, 17))


def test_seven_business_days_across_the_spring_change():
    start = utc(2026, 3, 24, 10)  # Tuesday 11:00 CET
    seven = MADRID.add(start, parse_duration("7d", MADRID.day_minutes))
    # Tue→… 7 working days later is Thursday 04-02 — a Madrid holiday — so Friday (Good Friday)
    # and the weekend are skipped too: Monday 04-06 11:00 CEST = 09:00 UTC.
    assert seven == utc(2026, 4, 6, 9)
    assert MADRID.elapsed(start, seven) == 7 * 9 * 60


@pytest.mark.parametrize("minutes", [1, 59, 60, 9 * 60, 9 * 60 + 1, 7 * 9 * 60, 21 * 9 * 60])
@pytest.mark.parametrize("start", [utc(2026, 3, 27, 15, 30), utc(2026, 10, 23, 6), utc(2026, 12, 23, 17, 59)])
def test_subtract_is_the_inverse_of_add(start, minutes):
    end = MADRID.add(start, minutes)
    assert MADRID.elapsed(start, end) == minutes
    cutoff = MADRID.subtract(end, minutes)
    assert MADRID.elapsed(cutoff, end) == minutes
    assert cutoff >= start  # the latest start from which ``minutes`` have run


def test_a_case_created_after_the_cutoff_has_not_run_long_enough():
    now = utc(2026, 4, 14, 12)
    cutoff = MADRID.subtract(now, 7 * 9 * 60)
    assert MADRID.elapsed(cutoff, now) == 7 * 9 * 60
    later = MADRID.add(cutoff, 1)
    assert MADRID.elapsed(later, now) < 7 * 9 * 60


def test_another_working_week_and_hours():
    # Sunday to Thursday, 08:00-16:00 in Dubai (UTC+4): Friday 08:00 → Sunday 09:00 local.
    gulf = BusinessCalendar(time_zone="Asia/Dubai", weekdays=frozenset({7, 1, 2, 3, 4}), start=time(8), end=time(16))
    assert gulf.day_minutes == 8 * 60
    assert gulf.add(utc(2026, 1, 2, 4), 60) == utc(2026, 1, 4, 5)


@pytest.mark.parametrize("text", ["7", "d", "-3d", "0h", "3w", "1.5d", ""])
def test_a_bad_duration_is_refused_with_the_way_to_write_it(text):
    with pytest.raises(ValueError, match="business days"):
        parse_duration(text, 540)


def test_durations_in_days_hours_and_minutes():
    assert parse_duration("7d", 540) == 7 * 540
    assert parse_duration("8h", 540) == 480
    assert parse_duration("30m", 540) == 30
