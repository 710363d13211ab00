"""Related records in the browser (issue 17 items 6 and 10): the account is a link on the grid
(desktop and 375 px cards), a missing customer is created from the account picker, an
activity's linked record is picked in the area chosen beside it, a refused form puts the focus
on its first field in error, and the theme follows the system's colour scheme."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_lookup_picker import _new_account

pytestmark = pytest.mark.browser


def _pick(page, field, text, option):
    picker = page.locator(f"#f-{field}")
    picker.press_sequentially(text)
    page.locator(f"#f-{field}-results [role=option]", has_text=option).click()


def test_a_missing_customer_is_created_from_the_picker_and_linked(page, live_server):
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/opportunities/new")
    page.fill("#f-name", "Gafas de sol")
    _pick(page, "account_id", "Óptica Sin Alta", "+ New customer “Óptica Sin Alta”")
    expect(page.locator("#f-account_id")).to_have_value(re.compile(r"^OP\d+ Óptica Sin Alta$"))
    expect(page.locator("input[name=account_id]")).not_to_have_value("")
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_url(re.compile(r"/s/opportunities/\d+$"))
    page.locator('#detail-read [data-value="account_id"] a').click()  # the record opens in read mode
    page.wait_for_url(re.compile(r"/s/accounts/\d+$"))
    expect(page.locator("#detail-title")).to_have_text(re.compile("Óptica Sin Alta"))
    expect(page.locator("#detail-status")).to_have_attribute("data-state", "open")


@pytest.mark.parametrize("device", ["page", "phone"])
def test_the_account_on_the_opportunity_grid_opens_the_account(device, request, live_server):
    page = request.getfixturevalue(device)
    log_in(page, live_server, "ana")
    if device == "page":
        _new_account(page, live_server, "LK001", "Enlaces Norte")
        page.goto(f"{live_server}/s/opportunities/new")
        page.fill("#f-name", "Pedido enlazado")
        _pick(page, "account_id", "Enlaces", "LK001 Enlaces Norte")
        page.click("main button[type=submit] >> nth=0")
        page.wait_for_url(re.compile(r"/s/opportunities/\d+$"))
    page.goto(f"{live_server}/s/opportunities?q=Pedido+enlazado")
    row = page.locator("#grid tbody tr", has_text="Pedido enlazado")
    expect(row.locator("td[data-label=Owner]")).to_have_text("Ana")
    link = row.locator("td[data-label=Account] a")
    expect(link).to_be_visible()  # a card's line on a phone, a cell on a desktop
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    link.click()
    expect(page.locator("#detail-title")).to_have_text("LK001 Enlaces Norte")


def test_an_activity_links_a_record_picked_in_the_chosen_area(page, live_server):
    log_in(page, live_server, "ana")
    _new_account(page, live_server, "AC001", "Actividad Enlazada")
    page.goto(f"{live_server}/s/activities/new")
    page.select_option("#f-type", "meeting")
    page.fill("#f-subject", "Visita")
    page.fill("#f-starts_at", "2026-04-01T10:00")
    page.select_option("#f-session_name", "accounts")
    _pick(page, "element_id", "Actividad", "AC001 Actividad Enlazada")
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_url(re.compile(r"/s/activities/\d+$"))
    expect(page.locator('#detail-read [data-value="element_id"] a')).to_have_text("AC001 Actividad Enlazada")
    page.click("#detail-edit")
    expect(page.locator("#f-element_id")).to_have_value("AC001 Actividad Enlazada")
    page.select_option("#f-session_name", "contacts")  # another area: the old record goes
    expect(page.locator("#f-element_id")).to_have_value("")
    expect(page.locator("input[name=element_id]")).to_have_value("")


@pytest.mark.parametrize("device", ["page", "phone"])
def test_a_refused_form_focuses_its_first_field_in_error(device, request, live_server):
    page = request.getfixturevalue(device)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/contacts/new")
    page.fill("#f-first_name", "Sin apellido")
    page.locator("#f-last_name").evaluate("e => e.removeAttribute('required')")  # the server's check
    page.locator("#f-account_id").evaluate("e => e.removeAttribute('required')")
    page.click("main button[type=submit] >> nth=0")
    first = page.locator("main [aria-invalid=true]").first
    expect(first).to_be_focused()
    described = first.get_attribute("aria-describedby")
    expect(page.locator(f"#{described.split()[0]}")).to_be_visible()


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_theme_follows_the_systems_colour_scheme(browser, live_server, scheme):
    context = browser.new_context(viewport={"width": 375, "height": 740}, color_scheme=scheme, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
        page.emulate_media(color_scheme="light" if scheme == "dark" else "dark")  # the system changes
        expect(page.locator("html")).to_have_attribute("data-bs-theme", "light" if scheme == "dark" else "dark")
    finally:
        context.close()
