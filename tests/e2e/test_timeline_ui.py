"""The record timeline (issue 17 item 2) in Chromium at 1280 and 375 px, strict CSP, no console
errors: the qualification reads with links, "Load more" appends the next page in place, and the
composer adds a note, an activity and an email without reloading the page.

``CRM_SCREENSHOT_DIR=docs/screenshots`` writes the documentation's screenshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console, _create

pytestmark = pytest.mark.browser


def _qualify(app: Any, username: str, lead_id: int, **data: Any) -> None:
    from sqlalchemy import select

    from crm_core.app import crm_state
    from crm_core.db import unit_of_work
    from crm_core.models.auth import User
    from crm_core.security.access import get_element, load_access
    from crm_core.services import elements

    with app.app_context(), unit_of_work() as db:
        access = load_access(db, db.scalar(select(User).where(User.username == username)), crm_state().row_filters)
        sdef = crm_state().registry.sdef("leads")
        elements.run_action(db, sdef, access, get_element(db, sdef, access, lead_id, "modify"), "qualify", data)


def _notes(app: Any, username: str, session_name: str, element_id: int, texts: list[str]) -> None:
    from sqlalchemy import select

    from crm_core.app import crm_state
    from crm_core.db import unit_of_work
    from crm_core.models.auth import User
    from crm_core.security.access import get_element, load_access
    from crm_core.services import notes

    with app.app_context(), unit_of_work() as db:
        user = db.scalar(select(User).where(User.username == username))
        access = load_access(db, user, crm_state().row_filters)
        sdef = crm_state().registry.sdef(session_name)
        element = get_element(db, sdef, access, element_id, "modify")
        for text in texts:
            notes.add_note(db, sdef, access, element, text, None, 10_000)


@pytest.fixture(scope="module")
def lead(live_app) -> int:
    app = live_app.app
    lead_id = _create(app, "ana", "leads", name="Timeline Norte", company="Timeline Norte S.L.",
                      email="compras@timeline-norte.example")
    _notes(app, "ana", "leads", lead_id, [f"Call note {i}" for i in range(34)])
    _qualify(app, "ana", lead_id, create_opportunity=True, opportunity_name="Hornos Norte")
    return lead_id


def _shot(page: Any, name: str, box: dict | None = None) -> None:
    """The visible page, or from the top of ``box`` (a phone's timeline starts below the tabs)."""
    folder = os.environ.get("CRM_SCREENSHOT_DIR")
    if folder:
        clip = {"x": 0, "y": box["y"], "width": page.viewport_size["width"], "height": 740} if box else None
        page.screenshot(path=str(Path(folder) / name), full_page=bool(box), clip=clip)


def test_the_timeline_reads_pages_and_takes_a_note_in_place(page, live_server, lead):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads/{lead}?tab=timeline")
    first = page.locator("#timeline-entries .timeline-entry").first
    expect(first).to_contain_text("Qualified →")
    expect(first.locator("a.timeline-link")).to_have_count(2)
    expect(page.locator("#timeline-entries .timeline-entry")).to_have_count(30)
    _shot(page, "timeline-1280.png")
    page.evaluate("window.crmNotReloaded = true")
    page.click("#timeline-more")
    expect(page.locator("#timeline-entries .timeline-entry")).to_have_count(36)  # 34 notes, 2 changes
    expect(page.locator("#timeline-more")).to_have_count(0)
    page.fill("#timeline-note", "Typed in the timeline")
    page.locator("#timeline-composer form").first.locator("button[type=submit]").click()
    expect(page.locator("#timeline-entries .timeline-entry").first).to_contain_text("Typed in the timeline")
    expect(page.locator("#timeline-messages .alert-success")).to_have_count(1)
    assert page.evaluate("window.crmNotReloaded") is True
    assert problems == []


def test_an_activity_and_an_email_from_the_composer_and_a_refusal_in_place(page, live_server, lead):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads/{lead}?tab=timeline")
    page.evaluate("window.crmNotReloaded = true")
    activity = page.locator('[data-composer="add_activity"]')
    activity.locator("summary").click()
    activity.locator("select[name=type]").select_option("meeting")
    activity.locator("input[name=subject]").fill("Visit the plant")
    activity.locator("input[name=starts_at]").fill("2026-12-01T10:30")
    activity.locator("button[type=submit]").click()
    expect(page.locator("#timeline-entries .timeline-entry").first).to_contain_text("Meeting: Visit the plant")
    email = page.locator('[data-composer="send_email"]')
    email.locator("summary").click()
    email.locator("input[name=subject]").fill("")
    email.locator("button[type=submit]").click()
    expect(page.locator("#timeline-messages .alert-danger").first).to_be_visible()
    email.locator("input[name=subject]").fill("Our proposal")
    email.locator("textarea[name=body]").fill("Please find our proposal.")
    email.locator("button[type=submit]").click()
    expect(page.locator("#timeline-entries .timeline-entry").first).to_contain_text("Our proposal")
    assert page.evaluate("window.crmNotReloaded") is True
    assert [p for p in problems if not p.startswith("400 ")] == []  # the refused email answers 400


def test_on_a_phone_nothing_is_wider_than_the_screen(phone, live_server, lead):
    problems = _console(phone)
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server}/s/leads/{lead}?tab=timeline")
    expect(phone.locator("#timeline-entries")).to_contain_text("Qualified →")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(phone, "timeline-375.png", phone.locator("#tab-timeline").bounding_box())
    phone.locator("#timeline-more").click()
    expect(phone.locator("#timeline-more")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert problems == []
