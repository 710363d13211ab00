"""Pure date math of the calendar (ACT-05, CORE-07): local days, DST changes, month grids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from plugins.activities.calendar import (
    block,
    day_bounds,
    hour_marks,
    local_today,
    month_weeks,
    parse_day,
    step,
    user_zone,
    view_span,
    week_days,
)

MADRID = ZoneInfo("Europe/Madrid")


def test_a_madrid_day_starts_at_local_midnight_in_utc():
    start, end = day_bounds(date(2026, 1, 15), MADRID)
    assert start == datetime(2026, 1, 14, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 1, 15, 23, 0, tzinfo=UTC)


def test_spring_forward_day_is_23_hours_and_autumn_back_day_is_25():
    start, end = day_bounds(date(2026, 3, 29), MADRID)
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(date(2026, 10, 25), MADRID)
    assert end - start == timedelta(hours=25)
    assert start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)


def test_today_is_the_users_date_not_the_servers():
    just_before_utc_midnight = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    assert local_today(MADRID, just_before_utc_midnight) == date(2026, 6, 2)
    assert local_today(ZoneInfo("America/New_York"), datetime(2026, 6, 2, 1, 0, tzinfo=UTC)) == date(2026, 6, 1)


def test_unknown_or_empty_zone_falls_back_to_utc():
    assert user_zone(SimpleNamespace(timezone="Mars/Olympus")) is UTC
    assert user_zone(SimpleNamespace(timezone="")) is UTC
    assert user_zone(SimpleNamespace(timezone="Europe/Madrid")) == MADRID


def test_month_grid_covers_whole_weeks_monday_first():
    weeks = month_weeks(date(2026, 3, 10))
    assert weeks[0][0] == date(2026, 2, 23) and weeks[0][0].weekday() == 0
    assert weeks[-1][-1] == date(2026, 4, 5)
    assert all(len(w) == 7 for w in weeks)
    assert view_span("month", date(2026, 3, 10)) == (date(2026, 2, 23), date(2026, 4, 5))


def test_week_and_day_spans():
    assert week_days(date(2026, 3, 29))[0] == date(2026, 3, 23)
    assert view_span("week", date(2026, 3, 29)) == (date(2026, 3, 23), date(2026, 3, 29))
    assert view_span("day", date(2026, 3, 29)) == (date(2026, 3, 29), date(2026, 3, 29))


def test_previous_and_next_keep_a_valid_date():
    assert step("month", date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert step("month", date(2026, 1, 15), -1) == date(2025, 12, 15)
    assert step("week", date(2026, 3, 29), 1) == date(2026, 4, 5)
    assert step("day", date(2026, 12, 31), 1) == date(2027, 1, 1)


def test_parse_day_refuses_garbage():
    assert parse_day("", date(2026, 1, 1)) == date(2026, 1, 1)
    assert parse_day("2026-03-29", date(2026, 1, 1)) == date(2026, 3, 29)
    try:
        parse_day("29/03/2026", date(2026, 1, 1))
    except ValueError:
        return
    raise AssertionError("a non-ISO date must be refused")


def test_blocks_are_positioned_by_local_time_even_on_a_dst_day():
    day = date(2026, 3, 29)  # 23 local hours: 00:00-02:00 CET then 03:00-24:00 CEST
    noon_local = datetime(2026, 3, 29, 12, 0, tzinfo=MADRID).astimezone(UTC)
    top, height = block(noon_local, 60, day, MADRID)
    assert top == round(11 / 23 * 100, 3)  # 11 real hours after local midnight
    assert height == round(1 / 23 * 100, 3)


def test_a_block_crossing_midnight_is_clipped_to_the_day():
    late = datetime(2026, 1, 15, 22, 30, tzinfo=UTC)  # 23:30 in Madrid
    top, height = block(late, 120, date(2026, 1, 15), MADRID)
    assert top + height == 100


def test_hour_marks_follow_the_local_clock():
    spring = hour_marks(date(2026, 3, 29), MADRID)
    autumn = hour_marks(date(2026, 10, 25), MADRID)
    assert len(spring) == 23 and "02:00" not in [label for label, _ in spring]
    assert len(autumn) == 25 and [label for label, _ in autumn].count("02:00") == 2
