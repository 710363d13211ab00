"""The calendar at the ends of the date range (ACT-05, NF-02): a day whose view or navigation
would step past ``date.min``/``date.max`` is a 400 saying so, the outermost days still show and
hide the link that would leave the range; whose calendar is a 64-bit number or a 400."""

from __future__ import annotations

from datetime import date

import pytest

from plugins.activities.calendar import FIRST_DAY, LAST_DAY, VIEWS, can_step
from tests.plugins.activities.support import ACTIVITIES_ONLY

pytestmark = ACTIVITIES_ONLY


@pytest.mark.parametrize("query", ["date=9999-12-15", "date=9999-12-31&view=week", "date=0001-01-01",
                                   "date=9999-12-31&view=day", "date=0001-01-31&view=month"])
def test_a_day_past_the_range_is_a_400_saying_so(client_for, query):
    response = client_for("ana").get(f"/activities/calendar?{query}")
    assert response.status_code == 400
    assert "The date is out of range" in response.get_data(as_text=True)


@pytest.mark.parametrize("view", VIEWS)
def test_the_outermost_days_show_without_the_link_out_of_the_range(client_for, view):
    client = client_for("ana")
    last = client.get(f"/activities/calendar?view={view}&date={LAST_DAY.isoformat()}").get_data(as_text=True)
    first = client.get(f"/activities/calendar?view={view}&date={FIRST_DAY.isoformat()}").get_data(as_text=True)
    assert 'id="cal-prev"' in last and 'id="cal-next"' not in last
    assert 'id="cal-next"' in first and 'id="cal-prev"' not in first


@pytest.mark.parametrize(("view", "day", "direction", "expected"), [
    ("month", date(9999, 10, 31), 1, True), ("month", date(9999, 11, 1), 1, False),
    ("month", date(1, 2, 28), -1, False), ("month", date(1, 3, 1), -1, True),
    ("week", date(9999, 11, 23), 1, True), ("week", date(9999, 11, 24), 1, False),
    ("day", LAST_DAY, 1, False), ("day", FIRST_DAY, -1, False), ("day", FIRST_DAY, 1, True),
])
def test_can_step_stays_inside_the_range(view, day, direction, expected):
    assert can_step(view, day, direction) is expected


def test_a_calendar_owner_past_64_bits_is_a_400(client_for):
    for url in ("/activities/calendar?user=18446744073709551616", "/activities/calendar.ics?user=-9223372036854775809"):
        response = client_for("admin").get(url)
        assert response.status_code == 400
        assert "“user”" in response.get_data(as_text=True)


def test_the_home_panel_reports_a_day_out_of_range_instead_of_failing(client_for):
    assert client_for("ana").get("/?date=9999-12-31").status_code == 200
