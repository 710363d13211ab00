"""Changing a grid cell in place in Chromium at 1280 and 375 px (issue 17 item 5): the ✎ link of
a declared cell opens its small form inside the cell (WCAG 2.1 AA, fits a phone), Escape puts the
cell back, a bad value is explained in place, saving shows the grid's rows with the new value."""

from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console, _create
from tests.e2e.test_bulk_ui import _axe_violations, _no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lead(live_app) -> int:
    registry = live_app.app.extensions["crm"].registry
    registry.sessions["leads"] = dataclasses.replace(registry.sessions["leads"], inline_edit=("company", "email"))
    return _create(live_app.app, "ana", "leads", name="Celda Uno", company="Antes SL")


@pytest.mark.parametrize("device", ["page", "phone"])
def test_a_cell_is_changed_in_place_and_the_grid_comes_back(request, live_server, lead, device):
    page = request.getfixturevalue(device)
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads?q=celda&view=0")
    row = page.locator(f'#grid tbody tr[data-id="{lead}"]')
    row.locator('a.crm-cell-edit[href*="/cell/company"]').click()
    expect(row.locator("#cell-form")).to_be_visible()  # in the cell, the grid stays
    page.keyboard.press("Escape")
    expect(row.locator("#cell-form")).to_have_count(0)
    expect(row).to_contain_text("Antes SL")
    row.locator('a.crm-cell-edit[href*="/cell/email"]').click()
    expect(row.locator("#cell-form")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/s/leads\?q=celda&view=0$"))
    page.fill("#f-email", "not an address")
    page.click("#cell-save")
    expect(row.locator('[data-error="email"]')).to_be_visible()  # the message in place
    assert _axe_violations(page) == []
    _no_horizontal_scroll(page)
    page.fill("#f-email", f"celda-{device}@example.com")
    page.click("#cell-save")
    expect(page).to_have_url(re.compile(r"/s/leads\?q=celda&view=0$"))
    expect(row).to_contain_text(f"celda-{device}@example.com")
    assert [p for p in problems if not p.startswith("400 ") or "/cell/email" not in p] == []  # the bad value's 400
