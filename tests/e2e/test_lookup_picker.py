"""The lookup picker works from the keyboard (CORE-09): arrows move through the results, Enter
picks the highlighted one and never submits the form, and screen readers are told which result
is highlighted (combobox + listbox, aria-activedescendant)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def _new_account(page, base, code, name):
    page.goto(f"{base}/s/accounts/new")
    page.fill("#f-code", code)
    page.fill("#f-name", name)
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_url(re.compile(r"/s/accounts/\d+$"))


def test_arrows_and_enter_pick_a_result_without_submitting_the_form(page, live_server):
    log_in(page, live_server, "ana")
    _new_account(page, live_server, "KB001", "Teclado Norte")
    _new_account(page, live_server, "KB002", "Teclado Sur")
    page.goto(f"{live_server}/s/contacts/new")
    form_url = page.url
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.fill("#f-last_name", "Soler")
    picker = page.locator("#f-account_id")
    assert picker.get_attribute("role") == "combobox"
    assert picker.get_attribute("aria-controls") == "f-account_id-results"
    assert page.locator("#f-account_id-results").get_attribute("role") == "listbox"

    picker.press_sequentially("Teclado")
    options = page.locator("#f-account_id-results [role=option]")
    options.nth(1).wait_for()
    assert picker.get_attribute("aria-expanded") == "true"

    picker.press("Enter")  # nothing highlighted: nothing happens, above all no submit
    page.wait_for_timeout(300)
    expect(posts == [] and page.url == form_url and options).to_have_count(3)
    expect(options.nth(2)).to_have_text("+ New customer “Teclado”")  # issue 17 item 6: last

    picker.press("ArrowDown")
    picker.press("ArrowDown")
    second = options.nth(1)
    assert second.get_attribute("aria-selected") == "true"
    assert picker.get_attribute("aria-activedescendant") == second.get_attribute("id")
    picker.press("ArrowUp")
    first = options.nth(0)
    assert first.get_attribute("aria-selected") == "true"
    assert picker.get_attribute("aria-activedescendant") == first.get_attribute("id")
    chosen = first.inner_text()

    picker.press("Enter")
    page.wait_for_timeout(300)
    assert posts == [] and page.url == form_url
    expect(picker.input_value() == chosen and options).to_have_count(0)
    assert picker.get_attribute("aria-expanded") == "false"
    assert page.locator("input[name=account_id]").input_value() != ""

    page.click("main button[type=submit] >> nth=0")
    page.wait_for_url(re.compile(r"/s/contacts/\d+$"))
    expect(page.locator("h1", has_text="Soler")).to_have_count(1)
