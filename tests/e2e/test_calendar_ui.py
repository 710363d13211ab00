"""An executive schedules a meeting and finds it on the calendar's month, week and day views
in a real browser (ACT-01, ACT-05)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_scheduled_meeting_shows_on_month_week_and_day(page, live_server):
    log_in(page, live_server, "bob")
    page.goto(f"{live_server}/s/activities/new")
    page.select_option("#f-type", "meeting")
    page.fill("#f-subject", "Visita a Ferretería Ruiz")
    today = date.today().isoformat()
    page.fill("#f-starts_at", f"{today}T10:30")
    page.fill("#f-duration", "90")
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_load_state()

    page.goto(f"{live_server}/activities/calendar")
    assert page.locator("#cal-month").count() == 1
    assert page.locator("#cal-month td", has_text="1").count() >= 1
    page.get_by_role("link", name="Week", exact=True).click()
    assert page.locator("#cal-week", has_text="Visita a Ferretería Ruiz").count() == 1
    page.get_by_role("link", name="Day", exact=True).click()
    block = page.locator("#cal-day a", has_text="Visita a Ferretería Ruiz")
    assert block.count() == 1
    assert "height" in (block.get_attribute("style") or "")
