"""Inboxes in a real browser, on a desktop and a phone (EXT-12): a leader sends a lead to the
Executives' inbox from its detail screen; an executive sees the count on the home page, takes
the item from the group inbox and opens the lead, now theirs."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

NUMBERS = itertools.count(1)


def _send_lead_to_executives(page, base: str, name: str) -> None:
    log_in(page, base, "leader")
    page.goto(f"{base}/s/leads/new")
    page.fill("#f-name", name)
    page.click("main button[type=submit] >> nth=0")
    page.click("text=Send to inbox")
    page.select_option("#f-recipient", label="Group: Executives")
    page.select_option("#f-requested_action", label="Call back")
    page.fill("#f-note", "The customer asked for a call back today.")
    page.click("#action-run")
    page.wait_for_load_state()
    expect(page.locator(".alert-success", has_text="Send to inbox done.")).to_have_count(1)


def _take(page, base: str, username: str, name: str) -> None:
    log_in(page, base, username)
    assert int(page.inner_text("#inbox-count-group")) >= 1
    page.click("#inbox-panel-group")
    row = page.locator(".inbox-row", has_text="The customer asked for a call back today.").last
    assert name not in row.inner_text()  # not theirs yet: no name, no link
    row.locator(".inbox-take").click()
    page.wait_for_url(f"{base}/inbox/mine")
    expect(page.locator(".alert-success", has_text="The item is yours")).to_have_count(1)
    page.locator(".inbox-open", has_text=name).click()
    expect(page.locator("h1", has_text=name)).to_have_count(1)


@pytest.mark.parametrize(("sender", "taker"), [("page", "phone"), ("phone", "page")])
def test_a_lead_sent_to_the_group_inbox_is_taken_and_opened(request, browser, live_server, sender, taker):
    name = f"Inbox lead {next(NUMBERS)} {sender}"
    _send_lead_to_executives(request.getfixturevalue(sender), live_server, name)
    taking = request.getfixturevalue(taker)
    _take(taking, live_server, "ana", name)
    if taker == "phone":
        taking.goto(f"{live_server}/inbox/mine")
        width = taking.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the inbox scrolls sideways ({width}px)"
        assert not taking.locator("#inbox-table thead").is_visible()  # rows are cards
