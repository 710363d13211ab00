"""The calendar pages (ACT-05, CORE-05): month counts, week and day views, whose calendar."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import event

from plugins.activities import agenda
from plugins.activities.calendar import month_weeks
from tests.plugins.activities.support import ACTIVITIES_ONLY, utc

pytestmark = ACTIVITIES_ONLY
MADRID = ZoneInfo("Europe/Madrid")


def cell_counts(html: str) -> dict[str, str]:
    """``{date: badge text}`` of the month grid's cells that show a count."""
    cells = re.findall(r'data-date="(\d{4}-\d\d-\d\d)"[^>]*>(.*?)</td>', html, re.S)
    out = {}
    for day, body in cells:
        badge = re.search(r'cal-count">([^<]*)<', body)
        if badge:
            out[day] = badge.group(1).strip()
    return out


def dst_fixture(add_activity):
    """Ana (Madrid) around the spring-forward night, plus one of Bob's the same day."""
    add_activity("ana", utc(2026, 3, 28, 23, 30), "00:30 local on the 29th")
    add_activity("ana", utc(2026, 3, 29, 21, 59), "23:59 local on the 29th")
    add_activity("ana", utc(2026, 3, 29, 22, 0), "midnight local: the 30th")
    add_activity("ana", utc(2026, 3, 10, 10, 0), "the 10th")
    add_activity("bob", utc(2026, 3, 10, 11, 0), "bob's")


def test_month_view_counts_activities_per_local_day(client_for, in_zone, add_activity):
    in_zone("ana", "Europe/Madrid")
    dst_fixture(add_activity)
    response = client_for("ana").get("/activities/calendar?view=month&date=2026-03-15")
    assert response.status_code == 200
    counts = cell_counts(response.get_data(as_text=True))
    assert counts == {"2026-03-10": "1 activity", "2026-03-29": "2 activities", "2026-03-30": "1 activity"}


def test_the_same_night_in_utc_lands_on_other_days(client_for, add_activity):
    dst_fixture(add_activity)  # ana stays in UTC
    counts = cell_counts(client_for("ana").get("/activities/calendar?date=2026-03-15").get_data(as_text=True))
    assert counts == {"2026-03-10": "1 activity", "2026-03-28": "1 activity", "2026-03-29": "2 activities"}


def test_month_counts_take_one_grouped_query(crm_app, db, users, access_for, add_activity):
    dst_fixture(add_activity)
    days = [d for week in month_weeks(date(2026, 3, 1)) for d in week]
    statements: list[str] = []
    engine = db.get_bind().engine

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    access = access_for("ana")
    event.listen(engine, "before_cursor_execute", seen)
    try:
        counts = agenda.counts_per_day(db, access, users["ana"], days, MADRID)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 1 and "GROUP BY" in statements[0]
    assert counts[date(2026, 3, 29)] == 2 and counts[date(2026, 3, 30)] == 1 and counts[date(2026, 3, 10)] == 1
    assert sum(counts.values()) == 4


def test_autumn_back_day_holds_its_25_hours(client_for, in_zone, add_activity):
    in_zone("ana", "Europe/Madrid")
    add_activity("ana", utc(2026, 10, 24, 22, 0), "local midnight of the 25th")
    add_activity("ana", utc(2026, 10, 25, 22, 59), "23:59 local on the 25th (CET)")
    add_activity("ana", utc(2026, 10, 25, 23, 0), "the 26th")
    counts = cell_counts(client_for("ana").get("/activities/calendar?date=2026-10-01").get_data(as_text=True))
    assert counts == {"2026-10-25": "2 activities", "2026-10-26": "1 activity"}


def test_week_view_lists_each_day_s_activities(client_for, in_zone, add_activity):
    in_zone("ana", "Europe/Madrid")
    first = add_activity("ana", utc(2026, 3, 23, 8, 0), "Monday")
    last = add_activity("ana", utc(2026, 3, 29, 21, 59), "Sunday late")
    outside = add_activity("ana", utc(2026, 3, 29, 22, 0), "next Monday")
    html = client_for("ana").get("/activities/calendar?view=week&date=2026-03-25").get_data(as_text=True)
    sections = dict(re.findall(r'<section class="act-day" data-date="([\d-]+)">(.*?)</section>', html, re.S))
    assert list(sections) == [f"2026-03-{d}" for d in range(23, 30)]
    assert f'data-id="{first.id}"' in sections["2026-03-23"]
    assert f'data-id="{last.id}"' in sections["2026-03-29"]
    assert f'data-id="{outside.id}"' not in html


def test_day_view_positions_blocks_by_local_time_and_duration(client_for, in_zone, add_activity):
    in_zone("ana", "Europe/Madrid")
    noon = add_activity("ana", utc(2026, 3, 29, 10, 0), "Lunch meeting", duration=60)  # 12:00 CEST
    html = client_for("ana").get("/activities/calendar?view=day&date=2026-03-29").get_data(as_text=True)
    block = re.search(rf'data-id="{noon.id}"[^>]*style="top: ([\d.]+)%; height: ([\d.]+)%"', html)
    assert block is not None
    assert float(block.group(1)) == round(11 / 23 * 100, 3) and float(block.group(2)) == round(1 / 23 * 100, 3)
    assert "12:00" in html and html.count('class="act-hour"') == 23


def test_previous_and_next_navigate_by_the_view(client_for):
    html = client_for("ana").get("/activities/calendar?view=week&date=2026-03-25").get_data(as_text=True)
    assert 'id="cal-prev" href="/activities/calendar?view=week&amp;date=2026-03-18"' in html
    assert 'id="cal-next" href="/activities/calendar?view=week&amp;date=2026-04-01"' in html


def test_an_executive_only_ever_sees_their_own_calendar(client_for, users, add_activity):
    bobs = add_activity("bob", utc(2026, 3, 10, 11, 0), "bob's secret")
    client = client_for("ana")
    html = client.get("/activities/calendar?view=day&date=2026-03-10").get_data(as_text=True)
    assert "bob&#39;s secret" not in html and f'data-id="{bobs.id}"' not in html
    assert 'id="cal-user"' not in html
    assert client.get(f"/activities/calendar?user={users['bob'].id}").status_code == 404
    assert client.get("/activities/calendar?user=nonsense").status_code == 400


def test_leaders_and_admins_pick_whose_calendar(client_for, users, add_activity):
    bobs = add_activity("bob", utc(2026, 3, 10, 11, 0), "Bob visits")
    for viewer in ("leader", "admin"):
        client = client_for(viewer)
        own = client.get("/activities/calendar?view=day&date=2026-03-10").get_data(as_text=True)
        assert 'id="cal-user"' in own and f'data-id="{bobs.id}"' not in own
        picked = client.get(f"/activities/calendar?view=day&date=2026-03-10&user={users['bob'].id}")
        assert picked.status_code == 200 and f'data-id="{bobs.id}"' in picked.get_data(as_text=True)
    assert client_for("admin").get("/activities/calendar?user=999999").status_code == 404


def test_bad_view_or_date_is_a_clear_400(client_for):
    client = client_for("ana")
    bad_date = client.get("/activities/calendar?date=29/03/2026")
    assert bad_date.status_code == 400 and "2026-03-29" in bad_date.get_data(as_text=True)
    assert client.get("/activities/calendar?view=year").status_code == 400


def test_calendar_needs_a_login(crm_app):
    assert crm_app.test_client().get("/activities/calendar").status_code == 302


def test_the_calendar_speaks_the_users_language(client_for, db, users, add_activity):
    users["ana"].language = "es"
    db.commit()
    add_activity("ana", utc(2026, 3, 10, 10, 0))
    html = client_for("ana").get("/activities/calendar?date=2026-03-15").get_data(as_text=True)
    assert "marzo" in html and ">Semana<" in html and "1 actividad" in html
