"""The screen pop in a real browser (TEL-01): with ana's page open, a call ringing at her
extension makes the caller's card appear without a reload; click-to-call from a phone field
queues the call through her extension."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.models.outbox import OutboxMessage
from crm_core.security.access import load_access
from crm_core.services import elements
from plugins.telephony import services
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def _prepare(app) -> int:
    """ana at extension 241 with a lead calling from 600 414 141; returns the lead's id."""
    with app.app_context(), unit_of_work() as db:
        ana = db.scalars(select(User).where(User.username == "ana")).one()
        services.save_extension(db, ana, "241")
        access = load_access(db, ana, crm_state().row_filters)
        lead = elements.create(db, crm_state().registry.sdef("leads"), access,
                               {"name": "Ferretería Pop", "phone": "600 414 141"})
        return lead.id


def _ring(app, number: str, call_id: str) -> None:
    with app.app_context(), unit_of_work() as db:
        assert services.ringing(db, call_id, number, "241") is not None


def test_a_ringing_call_pops_the_callers_card_in_the_open_page(page, live_app):
    lead_id = _prepare(live_app.app)
    base = live_app.url
    log_in(page, base, "ana")
    page.goto(f"{base}/s/leads/{lead_id}")
    # not wait_for_function: its polled string is an eval the page's CSP refuses
    expect(page.locator("html")).to_have_attribute("data-tel-stream", "open")
    page.wait_for_timeout(1500)  # the stream is connected and has read where it starts
    _ring(live_app.app, "+34 600 414 141", "pw-known")
    card = page.locator("#tel-pop .tel-pop-card[data-call='pw-known']")
    card.wait_for(state="visible", timeout=15_000)
    assert "Ferretería Pop" in card.inner_text()
    assert page.url.endswith(f"/s/leads/{lead_id}")  # no reload, no navigation
    _ring(live_app.app, "600 000 999", "pw-unknown")
    unknown = page.locator("#tel-pop .tel-pop-card[data-call='pw-unknown']")
    unknown.wait_for(state="visible", timeout=15_000)
    assert "Unknown number." in unknown.inner_text()
    assert unknown.locator("a.tel-new", has_text="New lead").get_attribute("href").endswith("/s/leads/new?phone=600+000+999")
    # the served app enables cases too: an unknown caller can open a new case as well
    assert unknown.locator("a.tel-new", has_text="New case").get_attribute("href").endswith("/s/cases/new?phone=600+000+999")
    unknown.locator("[data-tel-close]").click()
    expect(page.locator("#tel-pop .tel-pop-card[data-call='pw-unknown']")).to_have_count(0)

    # click-to-call from the lead's phone field: queued through ana's extension
    page.locator("a.crm-phone").click()
    page.locator("#tel-pop .tel-notice").wait_for(state="visible")
    assert "Calling +34600414141" in page.locator("#tel-pop .tel-notice").first.inner_text()
    with live_app.app.app_context(), unit_of_work() as db:
        payloads = [m.payload for m in db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "telephony.originate"))]
    assert {"extension": "241", "number": "+34600414141"}.items() <= payloads[-1].items()


def test_a_phone_cell_of_the_grid_is_a_call_link_that_calls_through_the_agents_extension(page, live_app):
    _prepare(live_app.app)
    base = live_app.url
    log_in(page, base, "ana")
    page.goto(f"{base}/s/leads?q=Ferreter%C3%ADa+Pop")
    link = page.locator("table a.crm-phone").first
    assert link.get_attribute("href") == "tel:600414141" and link.inner_text() == "600 414 141"
    link.click()
    page.locator("#tel-pop .tel-notice").first.wait_for(state="visible")
    assert "Calling +34600414141" in page.locator("#tel-pop .tel-notice").first.inner_text()
    assert "/s/leads" in page.url  # the link called; the page stayed
