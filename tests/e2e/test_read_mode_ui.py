"""Read mode on the detail screen in Chromium at 1280 and 375 px (issue 17 item 5): a record
opens showing its values as text, *Edit* turns it into the form, saving returns to read mode."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console, _create

pytestmark = pytest.mark.browser


@pytest.fixture
def lead(live_app) -> int:
    """A lead of its own per test (each device's test changes it)."""
    return _create(live_app.app, "ana", "leads", name="Lectura Uno", company="Leer SL")


def _no_horizontal_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.mark.parametrize("device", ["page", "phone"])
def test_a_record_opens_in_read_mode_and_edit_then_save_comes_back_to_it(request, live_server, lead, device):
    page = request.getfixturevalue(device)
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads/{lead}")
    expect(page.locator("#detail-read")).to_be_visible()
    expect(page.locator('#detail-read [data-value="company"]')).to_have_text("Leer SL")
    expect(page.locator("#detail-form")).to_have_count(0)
    _no_horizontal_scroll(page)
    page.click("#detail-edit")
    expect(page.locator("#detail-form")).to_be_visible()
    page.fill("#f-company", f"Leído {device}")
    page.click("#detail-save")
    expect(page.locator("#detail-read")).to_be_visible()
    expect(page.locator('#detail-read [data-value="company"]')).to_have_text(f"Leído {device}")
    _no_horizontal_scroll(page)
    assert problems == []
