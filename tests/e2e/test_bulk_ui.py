"""Bulk actions in Chromium at 1280 and 375 px (issue 17 item 5), under the strict CSP with no
console errors: rows ticked with the keyboard, an action chosen, a value, a confirmation page
and the per-record report; "all that match" shows the count first; nothing wider than a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console, _create
from tests.e2e.test_every_screen_ui import AXE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded(live_app) -> dict[str, int]:
    app = live_app.app
    ids = {name: _create(app, "ana", "leads", name=name, company="Lotes SL") for name in ("Lote Uno", "Lote Dos")}
    ids.update({name: _create(app, "ana", "activities", type="call", subject=name,
                              starts_at="2026-12-01T09:00:00+00:00") for name in ("Llamada lote 1", "Llamada lote 2")})
    ids["Lote VIP"] = _grouping(app, "ana", "Lote VIP", "leads")
    return ids


def _grouping(app: Any, username: str, name: str, of: str) -> int:
    """A static grouping (``_create`` cannot pass a ``session_name`` field)."""
    from sqlalchemy import select

    from crm_core.app import crm_state
    from crm_core.db import unit_of_work
    from crm_core.models.auth import User
    from crm_core.security.access import load_access
    from crm_core.services import elements

    with app.app_context(), unit_of_work() as db:
        access = load_access(db, db.scalar(select(User).where(User.username == username)), crm_state().row_filters)
        return elements.create(db, crm_state().registry.sdef("groupings"), access,
                               {"name": name, "session_name": of}).id


def _axe_violations(page: Any) -> list[str]:
    """WCAG 2.1 AA violations of the page as shown (axe-core, as the every-screen audit runs it)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed in node_modules/ (bash scripts/assets installs it)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']}))
             .violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""
    )


def _no_horizontal_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_ticked_rows_get_a_status_after_a_confirmation_and_a_report(page, live_server, seeded):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/activities?q=lote&view=0")
    expect(page.locator("#grid tbody tr")).to_have_count(2)
    box = page.locator(f'#grid tbody tr[data-id="{seeded["Llamada lote 1"]}"] input[name="ids"]')
    box.focus()
    page.keyboard.press("Space")  # keyboard ticking
    expect(box).to_be_checked()
    page.select_option("#bulk-action", "status")
    page.click("#bulk-apply")
    expect(page.locator("#bulk-count")).to_contain_text("1 record chosen")
    assert _axe_violations(page) == []
    page.select_option("#bulk-value", "done")
    page.click("#bulk-next")
    expect(page.locator("#bulk-question")).to_contain_text("Set the status of this record to Done?")
    expect(page.locator("#bulk-list")).to_contain_text("Llamada lote 1")
    assert _axe_violations(page) == []
    page.click("#confirm")
    expect(page.locator("#bulk-summary")).to_have_text("1 done, 0 refused.")
    expect(page.locator(f'#bulk-results tr[data-id="{seeded["Llamada lote 1"]}"]')).to_have_attribute(
        "data-result", "done")
    assert _axe_violations(page) == []
    page.click("#bulk-back")
    expect(page.locator("#grid tbody tr")).to_have_count(2)
    assert problems == []


def test_all_that_match_on_a_phone_counts_first_and_fits_the_screen(phone, live_server, seeded):
    problems = _console(phone)
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server}/s/leads?q=lote&view=0")
    expect(phone.locator("#grid tbody tr")).to_have_count(2)
    expect(phone.locator("#grid-bulk")).to_be_visible()
    _no_horizontal_scroll(phone)
    phone.select_option("#bulk-action", "grouping")
    phone.check("#bulk-scope-all")
    phone.click("#bulk-apply")
    expect(phone.locator("#bulk-count")).to_contain_text("2 records chosen")
    _no_horizontal_scroll(phone)
    phone.select_option("#bulk-value", str(seeded["Lote VIP"]))
    phone.click("#bulk-next")
    expect(phone.locator("#bulk-question")).to_contain_text("Add these 2 records to Lote VIP?")
    _no_horizontal_scroll(phone)
    phone.click("#confirm")
    expect(phone.locator("#bulk-summary")).to_have_text("2 done, 0 refused.")
    _no_horizontal_scroll(phone)
    phone.click("#bulk-back")
    expect(phone.locator("#grid tbody tr")).to_have_count(2)
    assert problems == []
