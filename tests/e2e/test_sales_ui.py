"""A sales executive works a lead in a real browser: create it, qualify it with an
opportunity and a contact, and see the provisional account (SAL-01, SAL-02, CORE-08/09)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_executive_creates_and_qualifies_a_lead(page, live_server):
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads/new")
    page.fill("#f-name", "Hotel Miramar")
    page.fill("#f-company", "Miramar Hoteles S.L.")
    page.fill("#f-email", "compras@miramar.example")
    page.click("main button[type=submit] >> nth=0")
    expect(page.locator("h1", has_text="Hotel Miramar")).to_have_count(1)

    page.click("text=Qualify")
    page.check("#f-create_opportunity")
    page.fill("#f-opportunity_name", "Menaje 2027")
    page.check("#f-create_contact")
    page.fill("#f-contact_first_name", "Marta")
    page.fill("#f-contact_last_name", "Soler")
    page.click("#action-run")
    page.wait_for_load_state()
    expect(page.locator(".alert-success").first).to_be_visible()

    page.goto(f"{live_server}/s/accounts")
    row = page.locator("tbody tr", has_text="Miramar")
    expect(row).to_have_count(1)
    assert re.search(r"OP\d+", row.inner_text())


def test_disqualify_without_reason_is_refused_in_place(page, live_server):
    log_in(page, live_server, "bob")
    page.goto(f"{live_server}/s/leads/new")
    page.fill("#f-name", "Bar Central")
    page.click("main button[type=submit] >> nth=0")
    page.click("text=Disqualify")
    page.click("#action-run")
    expect(page.locator('[data-field="reason"] .invalid-feedback')).to_have_count(1)


def test_phone_grid_shows_cards_that_fit_the_screen(phone, live_server):
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server}/s/leads/new")
    phone.fill("#f-name", "Cafetería La Plaza con un nombre bastante largo")
    phone.fill("#f-email", "una.direccion.de.correo.muy.larga@cafeteria-la-plaza.example")
    phone.click("main button[type=submit] >> nth=0")
    phone.goto(f"{live_server}/s/leads")
    assert not phone.locator("#grid thead").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width}px)"
