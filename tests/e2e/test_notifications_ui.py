"""The bell in Chromium at 1280 and 375 px (issue 17 item 11), under the strict CSP with no
console errors: a lead given to ana and a mention in a note show as a count on her bell without
a reload of anything but her own page; opening one goes to the record and lowers the count;
"mark all as read" empties it. The count is read by ``static/bell.js`` from a real server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console, _create

pytestmark = pytest.mark.browser


def _note(app: Any, username: str, session_name: str, element_id: int, text: str) -> None:
    from sqlalchemy import select

    from crm_core.app import crm_state
    from crm_core.db import unit_of_work
    from crm_core.models.auth import User
    from crm_core.security.access import load_access
    from crm_core.services import notes

    with app.app_context(), unit_of_work() as db:
        user = db.scalar(select(User).where(User.username == username))
        sdef = crm_state().registry.sdef(session_name)
        element = db.get(sdef.model, element_id)
        notes.add_note(db, sdef, load_access(db, user, crm_state().row_filters), element, text, None, 1000)


def _bell_flow(page: Any, base: str, app: Any, username: str, tag: str) -> None:
    problems = _console(page)
    log_in(page, base, username)
    page.goto(f"{base}/notifications")
    if page.locator("#notifications-read-all").count():
        page.click("#notifications-read-all")
    expect(page.locator("#bell-count")).to_be_hidden()
    from sqlalchemy import select

    from crm_core.models.auth import User

    with app.app_context():
        from crm_core.db import session

        owner_id = session().scalar(select(User.id).where(User.username == username))
    lead = _create(app, "leader", "leads", name=f"Campana {tag}", owner_id=owner_id)
    _note(app, "leader", "leads", lead, f"@{username} call them today ({tag})")
    page.goto(f"{base}/")
    expect(page.locator("#bell-count")).to_have_text("2")
    expect(page.locator("#nav-bell")).to_have_attribute("aria-label", "Notifications: 2 unread")
    if page.viewport_size["width"] < 992:
        page.click(".navbar-toggler")
        # the menu's opening slide over: a click during it can land where the bell was a frame ago
        expect(page.locator("#crm-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.click("#nav-bell")
    page.wait_for_url(f"{base}/notifications")
    expect(page.locator("#notifications [data-notification]").first).to_contain_text(f"call them today ({tag})")
    page.locator('#notifications [data-kind="assigned"] a').first.click()
    expect(page.locator("h1", has_text=f"Campana {tag}")).to_be_visible()
    expect(page.locator("#bell-count")).to_have_text("1")
    page.goto(f"{base}/notifications")
    page.click("#notifications-read-all")
    expect(page.locator(".alert-success")).to_contain_text("1 notification marked as read.")
    expect(page.locator("#bell-count")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert problems == []


def test_the_bell_on_a_desktop(page, live_server, live_app):
    _bell_flow(page, live_server, live_app.app, "ana", "desk")


def test_the_bell_on_a_phone(phone, live_server, live_app):
    _bell_flow(phone, live_server, live_app.app, "bob", "phone")
