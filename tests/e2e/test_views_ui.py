"""Saved views and record navigation in Chromium at 1280 and 375 px (issue 17 item 4), under the
strict CSP with no console errors: filters apply as you type (the address follows), the column
chooser orders columns, a view is saved and applied, back from a record returns to the filtered
grid, previous/next walk it, and nothing is wider than a phone's screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console, _create

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded(live_app) -> dict[str, int]:
    app = live_app.app
    ids = {name: _create(app, "ana", "leads", name=name, company="Miradas SL")
           for name in ("Ojeada Uno", "Ojeada Dos", "Ojeada Tres")}
    ids["Distinto"] = _create(app, "ana", "leads", name="Distinto", company="Miradas SL")
    return ids


def test_filters_apply_as_you_type_and_a_saved_view_comes_back(page, live_server, seeded):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads?view=0")
    page.fill("#grid-q", "ojeada")
    expect(page).to_have_url(re.compile(r"q=ojeada"))
    expect(page.locator("#grid tbody tr")).to_have_count(3)
    page.locator("#grid-columns summary").click()
    page.locator("#col-company").uncheck()
    up = page.locator('#grid-columns-list li[data-col="status"] button[data-move="-1"]')
    for _ in range(3):  # name, city, email, phone, status → name, status, city, email, phone
        up.click()
    expect(page).to_have_url(re.compile(r"cols=name&cols=status&cols=city&cols=email&cols=phone"))
    expect(page.locator("#grid thead th[data-column]").first).to_have_attribute("data-column", "name")
    expect(page.locator("#grid thead th[data-column]").nth(1)).to_have_attribute("data-column", "status")
    expect(page.locator('#grid thead th[data-column="company"]')).to_have_count(0)
    page.fill("#view-name", "Ojeadas")
    page.click("#save-view")
    expect(page.locator(".alert-success")).to_contain_text("Ojeadas")
    expect(page.locator("#grid-current-view")).to_have_text("Ojeadas")
    page.goto(f"{live_server}/s/leads?view=0")
    page.locator("#grid-views-menu summary").click()
    page.locator("#grid-views-menu a", has_text="Ojeadas").click()
    expect(page.locator("#grid tbody tr")).to_have_count(3)
    expect(page.locator('#grid thead th[data-column="company"]')).to_have_count(0)
    assert problems == []


def test_back_and_previous_next_keep_the_filtered_grid(page, live_server, seeded):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads?q=ojeada&sort=name&view=0")
    page.locator("#grid tbody a", has_text="Ojeada Dos").click()
    expect(page.locator("#detail-title")).to_have_text("Ojeada Dos")
    expect(page.locator("#record-prev")).to_have_count(0)
    page.click("#record-next")
    expect(page.locator("#detail-title")).to_have_text("Ojeada Tres")
    page.click("#record-next")
    expect(page.locator("#detail-title")).to_have_text("Ojeada Uno")
    expect(page.locator("#record-next")).to_have_count(0)
    page.click("#record-prev")
    expect(page.locator("#detail-title")).to_have_text("Ojeada Tres")
    page.click("#detail-back")
    expect(page).to_have_url(f"{live_server}/s/leads?q=ojeada&sort=name&view=0")
    expect(page.locator("#grid tbody tr")).to_have_count(3)
    assert problems == []


def _no_horizontal_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_views_on_a_phone_fit_the_screen(phone, live_server, seeded):
    problems = _console(phone)
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server}/s/leads?q=ojeada&view=0")
    expect(phone.locator("#grid tbody tr")).to_have_count(3)
    phone.locator("#grid-columns summary").click()
    expect(phone.locator("#grid-columns-list")).to_be_visible()
    _no_horizontal_scroll(phone)
    phone.locator("#grid-columns summary").click()
    phone.fill("#view-name", "Móvil")
    phone.click("#save-view")
    expect(phone.locator("#grid-current-view")).to_have_text("Móvil")
    phone.locator("#grid-views-menu summary").click()
    expect(phone.locator("#grid-views-menu a", has_text="Móvil")).to_be_visible()
    _no_horizontal_scroll(phone)
    phone.locator("#grid-views-menu summary").click()  # closes the menu
    phone.click("#manage-views")
    expect(phone.locator("#views-list")).to_contain_text("Móvil")
    _no_horizontal_scroll(phone)
    phone.goto(f"{live_server}/s/leads?q=ojeada&sort=name&view=0")
    phone.locator("#grid tbody a", has_text="Ojeada Dos").click()
    expect(phone.locator("#record-next")).to_be_visible()
    _no_horizontal_scroll(phone)
    assert problems == []
