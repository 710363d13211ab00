"""The opportunities' listing with amounts in their currency in Chromium at 1280 and 375 px (issue
17 leftovers item 2): amounts right-aligned with their currency, one total row per currency, under
the strict CSP with no console errors; on a phone the table reads as cards without sideways scroll."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console, _create
from tests.e2e.test_bulk_ui import _axe_violations, _no_horizontal_scroll

pytestmark = pytest.mark.browser
QUERY = "run=1&format=html&f=name&op=startswith&v=Divisa"


@pytest.fixture(scope="module")
def seeded(live_app: Any) -> None:
    app = live_app.app
    account = _create(app, "ana", "accounts", code="DIV-1", name="Divisas SL")
    for name, amount, currency in (("Divisa uno", "1500.25", "EUR"), ("Divisa dos", "500.00", "EUR"),
                                   ("Divisa tres", "70.00", "USD")):
        _create(app, "ana", "opportunities", name=name, account_id=account, amount=amount, currency=currency)


def test_amounts_and_totals_per_currency_on_a_desktop(page, live_server, seeded):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/opportunities/listing?{QUERY}")
    expect(page.locator("#listing-table tbody tr")).to_have_count(3)
    amount = page.locator('#listing-table tbody td[data-label="Amount"]', has_text="€1,500.25")
    expect(amount).to_have_count(1)
    expect(amount).to_have_css("text-align", "right")
    expect(page.locator('#listing-totals tr[data-currency="EUR"]')).to_contain_text("€2,000.25")
    expect(page.locator('#listing-totals tr[data-currency="USD"]')).to_contain_text("$70.00")
    assert _axe_violations(page) == []
    assert problems == []


def test_the_totals_fit_a_phone(phone, live_server, seeded):
    problems = _console(phone)
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server}/s/opportunities/listing?{QUERY}")
    expect(phone.locator('#listing-totals tr[data-currency="EUR"]')).to_be_visible()
    expect(phone.locator('#listing-totals tr[data-currency="EUR"]')).to_contain_text("Total EUR")
    _no_horizontal_scroll(phone)
    assert problems == []
