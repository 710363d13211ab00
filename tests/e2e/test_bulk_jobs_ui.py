"""A bulk action past the threshold in Chromium at 1280 and 375 px (issue 17 leftovers, CORE-08),
under the strict CSP with no console errors: the confirmation says it runs in the background, the
progress page (bar and counters, polled by progress.js while a server thread runs the job) ends
with the summary; nothing wider than a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console, _create
from tests.e2e.test_bulk_ui import _axe_violations, _grouping, _no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def small_threshold(live_app: Any) -> Iterator[None]:
    """Bulk actions on more than 3 records run as jobs of 2-record chunks, for this test only."""
    config = live_app.app.config
    saved = config["CRM_BULK_JOB_THRESHOLD"], config["CRM_BULK_CHUNK_RECORDS"]
    config["CRM_BULK_JOB_THRESHOLD"], config["CRM_BULK_CHUNK_RECORDS"] = 3, 2
    yield
    config["CRM_BULK_JOB_THRESHOLD"], config["CRM_BULK_CHUNK_RECORDS"] = saved


def test_a_large_bulk_delete_shows_its_progress_then_the_summary(page, live_app, live_server, small_threshold):
    for i in range(5):
        _create(live_app.app, "ana", "leads", name=f"Bloque {i}", company="Bloques SL")
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads?q=bloque&view=0")
    expect(page.locator("#grid tbody tr")).to_have_count(5)
    page.select_option("#bulk-action", "delete")
    page.check("#bulk-scope-all")
    page.click("#bulk-apply")
    expect(page.locator("#bulk-question")).to_contain_text("Delete these 5 records?")
    expect(page.locator("#bulk-background")).to_be_visible()
    page.click("#confirm")
    expect(page).to_have_url(re.compile(r"/s/leads/bulk/jobs/\d+$"))
    expect(page.locator("#bulk-summary")).to_have_text("5 done, 0 refused.")
    expect(page.locator("#bulk-progress [role=progressbar]")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator('#bulk-progress [data-count="done"]')).to_have_text("5")
    assert _axe_violations(page) == []
    page.click("#bulk-back")
    page.goto(f"{live_server}/s/leads?q=bloque&view=0")
    expect(page.locator("#grid tbody tr[data-id]")).to_have_count(0)
    assert problems == []


def test_a_large_bulk_on_a_phone_fits_the_screen(phone, live_app, live_server, small_threshold):
    for i in range(4):
        _create(live_app.app, "ana", "leads", name=f"Racimo {i}", company="Racimos SL")
    grouping = _grouping(live_app.app, "ana", "Racimo VIP", "leads")
    problems = _console(phone)
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server}/s/leads?q=racimo&view=0")
    expect(phone.locator("#grid tbody tr")).to_have_count(4)
    phone.select_option("#bulk-action", "grouping")
    phone.check("#bulk-scope-all")
    phone.click("#bulk-apply")
    phone.select_option("#bulk-value", str(grouping))
    phone.click("#bulk-next")
    expect(phone.locator("#bulk-background")).to_be_visible()
    _no_horizontal_scroll(phone)
    phone.click("#confirm")
    expect(phone.locator("#bulk-summary")).to_have_text("4 done, 0 refused.")
    expect(phone.locator('#bulk-progress [data-count="total"]')).to_have_text("4")
    _no_horizontal_scroll(phone)
    assert problems == []
