"""Column headers offer only the sorts a list index serves (issue 13 target 4), in a browser at
desktop width; on a phone the grid is cards and a sorted grid still fits the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_only_indexed_columns_have_a_sort_link(page, live_server):
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads")
    expect(page.locator('#grid th[data-column="name"] a')).to_be_visible()
    expect(page.locator('#grid th[data-column="city"] a')).to_have_count(0)
    expect(page.locator('#grid th[data-column="city"]')).to_have_text("City")
    page.locator('#grid th[data-column="name"] a').click()
    expect(page).to_have_url(re.compile(r"sort=name"))
    expect(page.locator('#grid th[data-column="name"] a')).to_contain_text("▲")
    page.goto(f"{live_server}/s/leads?sort=city")
    expect(page.get_by_text("The grid cannot be sorted by “city”.")).to_be_visible()


def test_a_sorted_grid_fits_a_phone(phone, live_server):
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server}/s/leads?sort=-name")
    expect(phone.locator("#grid")).to_be_attached()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width}px)"
