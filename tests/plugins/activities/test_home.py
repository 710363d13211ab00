"""Home agenda panels (CORE-07): overdue, today, tomorrow and a picked date, in the user's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.plugins.activities.support import ACTIVITIES_ONLY

pytestmark = ACTIVITIES_ONLY


def panel(html: str, name: str) -> str:
    match = re.search(rf'<section class="[^"]*" id="panel-activities-{name}">(.*?)</section>', html, re.S)
    assert match, f"panel {name} missing"
    return match.group(1)


def local(zone: str, days: int, hour: int, minute: int = 0) -> datetime:
    """Today (in ``zone``) + ``days`` at ``hour:minute`` local, as UTC."""
    tz = ZoneInfo(zone)
    today = datetime.now(tz).date() + timedelta(days=days)
    return datetime(today.year, today.month, today.day, hour, minute, tzinfo=tz).astimezone(UTC)


def test_home_shows_overdue_today_and_tomorrow_of_the_user_only(client_for, in_zone, add_activity):
    in_zone("ana", "Europe/Madrid")
    overdue = add_activity("ana", datetime.now(UTC) - timedelta(days=2), "Overdue call")
    done = add_activity("ana", datetime.now(UTC) - timedelta(days=2), "Old done call", status="done")
    today = add_activity("ana", local("Europe/Madrid", 0, 23, 59), "Late today")
    tomorrow = add_activity("ana", local("Europe/Madrid", 1, 0, 0), "Tomorrow at midnight")
    bobs = add_activity("bob", datetime.now(UTC) - timedelta(days=2), "Bob overdue")
    html = client_for("ana").get("/").get_data(as_text=True)
    assert f'data-id="{overdue.id}"' in panel(html, "overdue")
    assert f'data-id="{done.id}"' not in panel(html, "overdue")
    assert f'data-id="{today.id}"' in panel(html, "today")
    assert f'data-id="{tomorrow.id}"' in panel(html, "tomorrow")
    assert f'data-id="{tomorrow.id}"' not in panel(html, "today")
    assert "Bob overdue" not in html and f'data-id="{bobs.id}"' not in html


def test_items_link_to_their_element_or_to_the_activity(client_for, add_activity, add_sample):
    acme = add_sample("ana", "Acme")
    linked = add_activity("ana", datetime.now(UTC) - timedelta(hours=1), "Linked", session_name="samples",
                          element_id=acme.id)
    generic = add_activity("ana", datetime.now(UTC) - timedelta(hours=1), "Generic")
    overdue = panel(client_for("ana").get("/").get_data(as_text=True), "overdue")
    assert f'href="/s/samples/{acme.id}"' in overdue
    assert f'href="/s/activities/{linked.id}"' in overdue and f'href="/s/activities/{generic.id}"' in overdue


def test_a_picked_date_shows_that_days_activities(client_for, in_zone, add_activity):
    in_zone("ana", "Europe/Madrid")
    on_day = add_activity("ana", datetime(2026, 10, 25, 22, 59, tzinfo=UTC), "Last minute of the 25th (CET)")
    after = add_activity("ana", datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "The 26th")
    picked = panel(client_for("ana").get("/?date=2026-10-25").get_data(as_text=True), "date")
    assert f'data-id="{on_day.id}"' in picked and f'data-id="{after.id}"' not in picked
    assert 'value="2026-10-25"' in picked


def test_a_bad_picked_date_gets_a_message_not_an_error_page(client_for):
    response = client_for("ana").get("/?date=soon")
    assert response.status_code == 200
    assert "The date must look like 2026-03-29." in panel(response.get_data(as_text=True), "date")


def test_linked_items_name_their_element(client_for, add_activity, add_sample):
    acme = add_sample("ana", "Acme Industries")
    add_activity("ana", datetime.now(UTC) - timedelta(hours=1), "Linked", session_name="samples", element_id=acme.id)
    overdue = panel(client_for("ana").get("/").get_data(as_text=True), "overdue")
    assert f'href="/s/samples/{acme.id}">Acme Industries</a>' in overdue
