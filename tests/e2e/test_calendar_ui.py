"""The activities calendar (ACT-05, issue 17 item 8) in Chromium at 1280 and 375 px, on
FullCalendar under the strict CSP with no console errors: the month view shows the events,
dragging one to another day reschedules it through the form's rules, a refused move springs
back with the reason, the week view has an hour axis opening at the working hours, clicking an
empty day opens a new activity then, and phones get the list view that fits the screen."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console

pytestmark = pytest.mark.browser


def _activity(app: Any, username: str, subject: str, starts_at: datetime, **values: Any) -> int:
    from crm_core.db import unit_of_work
    from crm_core.models.auth import User
    from plugins.activities.models import Activity

    with app.app_context(), unit_of_work() as db:
        user = db.scalar(select(User).where(User.username == username))
        activity = Activity(type=values.pop("type", "meeting"), subject=subject, starts_at=starts_at,
                            owner_id=user.id, creator_id=user.id, **values)
        db.add(activity)
        db.flush()
        return activity.id


def _stored(app: Any, activity_id: int) -> Any:
    from crm_core.db import session
    from plugins.activities.models import Activity

    with app.app_context():
        activity = session().get(Activity, activity_id)
        return activity.starts_at.astimezone(UTC), activity.status


def _set_status(app: Any, activity_id: int, status: str) -> None:
    from crm_core.db import unit_of_work
    from plugins.activities.models import Activity

    with app.app_context(), unit_of_work() as db:
        db.get(Activity, activity_id).status = status


def _drag(page: Any, source: Any, target: Any) -> None:
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def _day(page: Any, iso: str) -> Any:
    return page.locator(f'#calendar td.fc-daygrid-day[data-date="{iso}"]')


def test_month_view_drag_to_reschedule_and_refused_moves_spring_back(page, live_server, live_app):
    app = live_app.app
    visit = _activity(app, "ana", "Visita Ferretería Ruiz", datetime(2030, 3, 12, 10, 0, tzinfo=UTC), duration=60)
    call = _activity(app, "ana", "Llamada de seguimiento", datetime(2030, 3, 20, 9, 0, tzinfo=UTC), type="call")
    _activity(app, "bob", "Reunión de Bob", datetime(2030, 3, 13, 9, 0, tzinfo=UTC))
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/activities/calendar?date=2030-03-12")
    event = _day(page, "2030-03-12").locator(".fc-event", has_text="Visita Ferretería Ruiz")
    event.wait_for()
    expect(page.locator("#calendar", has_text="Reunión de Bob")).to_have_count(0)
    assert _day(page, "2030-04-01").get_attribute("class").count("fc-day-other") == 1

    _drag(page, event, _day(page, "2030-03-14"))
    page.locator("#cal-status", has_text="moved").wait_for(state="attached")
    expect(_day(page, "2030-03-14").locator(".fc-event", has_text="Visita Ferretería Ruiz")).to_have_count(1)
    assert _stored(app, visit) == (datetime(2030, 3, 14, 10, 0, tzinfo=UTC), "planned")

    _set_status(app, call, "done")  # closed meanwhile in another window: the move is refused
    _drag(page, _day(page, "2030-03-20").locator(".fc-event", has_text="Llamada"), _day(page, "2030-03-21"))
    page.locator("#cal-error", has_text="Only planned activities can be moved.").wait_for()
    expect(_day(page, "2030-03-20").locator(".fc-event", has_text="Llamada")).to_have_count(1)
    expect(_day(page, "2030-03-21").locator(".fc-event")).to_have_count(0)
    assert _stored(app, call) == (datetime(2030, 3, 20, 9, 0, tzinfo=UTC), "done")

    page.locator(".fc-timeGridWeek-button").click()
    page.locator(".fc-timegrid-event", has_text="Visita Ferretería Ruiz").wait_for()
    expect(page.locator(".fc-timegrid-slot-label", has_text="08:00")).to_have_count(1)
    # the hour axis opens at the working hours (08:00 by default): midnight is scrolled away
    top = page.evaluate("""() => {
        const scroller = document.querySelector('.fc-timegrid-body').closest('.fc-scroller');
        const label = (t) => document.querySelector(`.fc-timegrid-slot-label[data-time="${t}"]`).getBoundingClientRect();
        const box = scroller.getBoundingClientRect();
        return {midnight: label('00:00:00').bottom - box.top, eight: label('08:00:00').top - box.top};
    }""")
    assert top["midnight"] <= 0 and -5 <= top["eight"] < 60, top

    page.locator(".fc-dayGridMonth-button").click()
    _day(page, "2030-03-27").locator(".fc-daygrid-day-frame").click(position={"x": 40, "y": 60})
    page.wait_for_url("**/s/activities/new?**")
    assert page.input_value("#f-starts_at") == "2030-03-27T08:00"
    assert problems == []


def test_phones_get_the_list_view_that_fits_the_screen(phone, live_server, live_app):
    _activity(live_app.app, "bob", "Demostración en Cuenca", datetime(2031, 6, 10, 16, 0, tzinfo=UTC))
    problems = _console(phone)
    log_in(phone, live_server, "bob")
    phone.goto(f"{live_server}/activities/calendar?date=2031-06-10")
    phone.locator(".fc-list-event", has_text="Demostración en Cuenca").wait_for()
    assert "16:00" in phone.locator(".fc-list-event", has_text="Demostración en Cuenca").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert problems == []
